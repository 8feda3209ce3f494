// Strata inspector: a dependency-free page over the HTTP API.
// Rules: the token lives in sessionStorage and travels only in the Authorization header (streams
// use single-use tickets, since EventSource cannot send headers); every piece of stored data is
// put in the page with textContent, never as markup.
'use strict';

const PAGE = 50;           // tasks per list page
const MESSAGE_PAGE = 200;  // messages per transcript page
const TYPES = ['text', 'thinking', 'tool-use', 'tool-result', 'error'];
const FOLLOW_SLACK = 40;   // px from the bottom that still counts as "at the bottom"

const $ = (id) => document.getElementById(id);
const session = {
  get token() { return sessionStorage.getItem('strata.token'); },
  set token(v) { v ? sessionStorage.setItem('strata.token', v) : sessionStorage.removeItem('strata.token'); },
  get workspace() { return sessionStorage.getItem('strata.workspace'); },
  set workspace(v) { v ? sessionStorage.setItem('strata.workspace', v) : sessionStorage.removeItem('strata.workspace'); },
};
const state = { workspaces: [], view: null, streams: [], tasks: null, task: null };
window.strataTimings = {};

// ---- API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = { 'Authorization': 'Bearer ' + session.token };
  if (session.workspace) headers['X-Workspace-ID'] = session.workspace;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method || 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
  });
  let body = null;
  const text = await response.text();
  const raw = text;
  if (text) { try { body = JSON.parse(text); } catch (e) { body = null; } }
  if (!response.ok) {
    if (response.status === 401) { signOut('Your token was not accepted: sign in again.'); }
    throw new ApiError(response.status, (body && body.error) || ('HTTP ' + response.status));
  }
  return { body, headers: response.headers, text: raw };
}

function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/** Opens a server-sent event stream through a fresh single-use ticket; the token never enters a URL. */
async function openStream(path, params, handlers) {
  const { body } = await api('/api/stream-tickets', { method: 'POST' });
  const source = new EventSource(path + query({ ...params, ticket: body.ticket }));
  for (const [event, handler] of Object.entries(handlers)) {
    if (event !== 'open' && event !== 'error') source.addEventListener(event, handler);
  }
  source.onopen = () => handlers.open && handlers.open();
  // A ticket works once, so the browser's own reconnect would be refused: close, and let the view
  // reopen with a new ticket from where it got to.
  source.onerror = () => { source.close(); handlers.error && handlers.error(); };
  state.streams.push(source);
  return source;
}

function closeStreams() {
  state.streams.forEach((s) => s.close());
  state.streams = [];
}

// ---- small helpers ------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function notice(message) {
  const n = $('notice');
  n.textContent = message || '';
  n.hidden = !message;
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : String(v)) + ' ' + units[i];
}

function utf8Length(s) { return s ? new TextEncoder().encode(s).length : 0; }

/**
 * Re-indents JSON text without parsing it, so numbers such as 1e400 or 1.50 and every escape
 * stay exactly as the daemon sent them. Text that is not JSON comes out unchanged enough to read.
 */
function prettyJson(text) {
  let out = ''; let indent = 0; let inString = false;
  const pad = () => '\n' + '  '.repeat(indent);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += text[++i] || ''; } else if (c === '"') { inString = false; }
      continue;
    }
    if (c === '"') { inString = true; out += c; }
    else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let j = i + 1; while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === close) { out += c + close; i = j; } else { indent++; out += c + pad(); }
    } else if (c === '}' || c === ']') { indent = Math.max(0, indent - 1); out += pad() + c; }
    else if (c === ',') { out += ',' + pad(); }
    else if (c === ':') { out += ': '; }
    else if (!/\s/.test(c)) { out += c; }
  }
  return out;
}

function stringEnd(text, start) {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

function valueEnd(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') { i = stringEnd(text, i); if (depth === 0) return i + 1; }
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') { if (depth === 0) return i; depth--; if (depth === 0) return i + 1; }
    else if (c === ',' && depth === 0) return i;
  }
  return text.length;
}

/**
 * The exact text of each message's "input" (the daemon's own JSON: JSON.parse would turn 1.50
 * into 1.5 and 1e400 into Infinity), for the objects at nesting depth objectDepth of a response.
 */
function rawInputs(text, objectDepth) {
  const found = [];
  const stack = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey && stack.length === objectDepth) {
        let j = end + 1;
        while (j < text.length && text[j] !== ':') j++;
        j++;
        while (j < text.length && /\s/.test(text[j])) j++;
        if (JSON.parse(text.slice(i, end + 1)) === 'input') {
          const stop = valueEnd(text, j);
          found[found.length - 1] = text.slice(j, stop).trim();
          i = stop - 1;
        } else {
          i = j - 1;
        }
      } else {
        i = end;
      }
      expectKey = false;
    } else if (c === '{' || c === '[') {
      stack.push(c);
      if (c === '{' && stack.length === objectDepth) found.push(null);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] === '{';
    }
  }
  return found;
}

function withRawInputs(messages, raws) {
  messages.forEach((m, i) => { if (raws[i] !== null && raws[i] !== undefined) m.inputText = raws[i]; });
  return messages;
}

function inputText(m) {
  if (m.inputText !== undefined) return prettyJson(m.inputText);
  return JSON.stringify(m.input, null, 2);
}

// ---- sign-in and workspaces ---------------------------------------------------------------

async function signIn(token) {
  session.token = token.trim();
  session.workspace = null;
  try {
    await loadWorkspaces();
  } catch (e) {
    if (e.status !== 401) notice(e.message);
    return;
  }
  go('#/tasks');
}

/** Shows a view: through the hashchange event when the hash changes, else at once. */
function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function signOut(message) {
  closeStreams();
  session.token = null;
  session.workspace = null;
  state.workspaces = [];
  $('token').value = '';
  state.pendingNotice = message;
  go('#/signin');
}

async function loadWorkspaces() {
  const { body } = await api('/api/workspaces');
  state.workspaces = body.workspaces;
  const picker = $('workspace');
  picker.replaceChildren();
  for (const w of state.workspaces) {
    const option = el('option', null, w.name + ' (' + w.role + ')');
    option.value = w.id;
    picker.append(option);
  }
  if (!state.workspaces.some((w) => w.id === session.workspace)) {
    session.workspace = state.workspaces.length ? state.workspaces[0].id : null;
  }
  picker.value = session.workspace || '';
  if (!session.workspace) notice('This user is a member of no workspace.');
  updateNav();
}

function currentRole() {
  const w = state.workspaces.find((x) => x.id === session.workspace);
  return w ? w.role : null;
}

function updateNav() {
  $('session').hidden = !session.token;
  $('nav-storage').hidden = currentRole() !== 'owner';
}

// ---- routing ------------------------------------------------------------------------------

async function route() {
  closeStreams();
  // Views left behind must not reconnect their streams.
  state.tasks = null;
  state.task = null;
  notice(state.pendingNotice || '');
  state.pendingNotice = null;
  for (const id of ['view-signin', 'view-tasks', 'view-task', 'view-storage']) $(id).hidden = true;
  if (!session.token) { $('view-signin').hidden = false; updateNav(); return; }
  if (!state.workspaces.length) {
    try { await loadWorkspaces(); } catch (e) { if (e.status !== 401) notice(e.message); return; }
  }
  updateNav();
  if (!session.workspace) return;
  const hash = location.hash || '#/tasks';
  if (hash.startsWith('#/task/')) {
    showTask(decodeURIComponent(hash.slice('#/task/'.length)));
  } else if (hash === '#/storage') {
    showStorage();
  } else {
    showTasks();
  }
}

// ---- task list ----------------------------------------------------------------------------

function showTasks() {
  $('view-tasks').hidden = false;
  state.tasks = { cursors: [null], page: 0, rows: new Map() };
  loadTaskPage();
  followWorkspace();
}

async function loadTaskPage() {
  const view = state.tasks;
  const status = $('status-filter').value || undefined;
  try {
    const { body } = await api('/api/tasks' + query({ status, limit: PAGE, cursor: view.cursors[view.page] || undefined }));
    if (view !== state.tasks) return;
    view.cursors[view.page + 1] = body.next_cursor;
    renderTaskRows(body.tasks);
    $('next-page').disabled = !body.next_cursor;
    $('first-page').disabled = view.page === 0;
  } catch (e) {
    if (e.status !== 401) notice(e.message);
  }
}

function renderTaskRows(tasks) {
  const rows = $('task-rows');
  rows.replaceChildren();
  state.tasks.rows = new Map();
  for (const task of tasks) rows.append(taskRow(task));
  $('tasks-empty').hidden = tasks.length > 0;
}

function taskRow(task) {
  const tr = el('tr');
  tr.dataset.id = task.id;
  const link = el('a', null, task.id);
  link.href = '#/task/' + encodeURIComponent(task.id);
  const idCell = el('td'); idCell.append(link);
  const statusCell = el('td'); statusCell.append(el('span', 'status ' + task.status, task.status));
  tr.append(idCell, statusCell,
    el('td', 'num', task.message_count), el('td', 'num', task.step_count ?? ''),
    el('td', null, when(task.last_message_at)), el('td', null, when(task.created_at)));
  state.tasks.rows.set(task.id, { tr, task });
  return tr;
}

async function searchTask(id) {
  id = id.trim();
  if (!id) { state.tasks.page = 0; loadTaskPage(); return; }
  try {
    const { body } = await api('/api/tasks/' + encodeURIComponent(id));
    const counts = await stepCounts([body.id]);
    renderTaskRows([{ ...body, step_count: counts[body.id] }]);
    $('next-page').disabled = true;
    $('first-page').disabled = false;
  } catch (e) {
    if (e.status === 404) { renderTaskRows([]); notice('No task ' + id + ' in this workspace.'); }
    else if (e.status !== 401) notice(e.message);
  }
}

async function stepCounts(ids) {
  if (!ids.length) return {};
  const { body } = await api('/api/tasks/step-counts', { method: 'POST', body: { task_ids: ids } });
  return body;
}

/** Live activity: a changed task is updated in place and moves to the top of the first page. */
function followWorkspace() {
  const view = state.tasks;
  const stale = new Set();
  let timer = null;
  const refreshSteps = () => {
    timer = null;
    const ids = [...stale].filter((id) => view.rows.has(id)).slice(0, 100);
    stale.clear();
    stepCounts(ids).then((counts) => {
      for (const [id, n] of Object.entries(counts)) {
        const row = view.rows.get(id);
        if (row) { row.task.step_count = n; row.tr.children[3].textContent = String(n); }
      }
    }).catch(() => {});
  };
  const onTask = (event) => {
    if (view !== state.tasks) return;
    const change = JSON.parse(event.data);
    const filter = $('status-filter').value;
    const row = view.rows.get(change.id);
    if (row) {
      Object.assign(row.task, change);
      const fresh = taskRow(row.task);
      row.tr.replaceWith(fresh);
      if (filter && change.status !== filter) { fresh.remove(); view.rows.delete(change.id); }
      else if (view.page === 0 && !$('search').value) $('task-rows').prepend(fresh);
    } else if (view.page === 0 && !$('search').value && (!filter || change.status === filter)) {
      $('task-rows').prepend(taskRow({ ...change, created_at: null, step_count: null }));
      $('tasks-empty').hidden = true;
      // The event carries no creation time: ask for the task once.
      api('/api/tasks/' + encodeURIComponent(change.id)).then(({ body }) => {
        const added = view.rows.get(change.id);
        if (added && view === state.tasks) {
          added.task.created_at = body.created_at;
          added.tr.children[5].textContent = when(body.created_at);
        }
      }).catch(() => {});
    } else {
      return;
    }
    stale.add(change.id);
    if (!timer) timer = setTimeout(refreshSteps, 1000);
  };
  const connect = () => openStream('/api/stream', {}, {
    task: onTask,
    open: () => $('live-tasks').classList.add('on'),
    error: () => {
      $('live-tasks').classList.remove('on');
      // Catch up on what happened while disconnected, then listen again.
      setTimeout(() => { if (view === state.tasks) { loadTaskPage(); connect(); } }, 2000);
    },
  }).catch(() => $('live-tasks').classList.remove('on'));
  connect();
}

// ---- task view ----------------------------------------------------------------------------

function excludedTypes() {
  return TYPES.filter((t) => !$('type-' + t).checked);
}

function buildTypeFilters() {
  const box = $('type-filters');
  if (box.childElementCount) return;
  box.append(el('span', 'hint', 'Show'));
  for (const type of TYPES) {
    const label = el('label');
    const input = el('input');
    input.type = 'checkbox'; input.id = 'type-' + type; input.checked = true;
    input.addEventListener('change', () => { if (state.task) showTask(state.task.id); });
    label.append(input, el('span', null, type));
    box.append(label);
  }
}

async function showTask(taskId) {
  $('view-task').hidden = false;
  buildTypeFilters();
  closeStreams();
  const view = { id: taskId, oldest: null, newest: -1, seen: new Set() };
  state.task = view;
  window.strataTimings.taskOpened = performance.now();
  $('messages').replaceChildren();
  $('task-end').hidden = true;
  $('load-older').hidden = true;
  $('task-title').textContent = taskId;
  try {
    const [task, page] = await Promise.all([
      api('/api/tasks/' + encodeURIComponent(taskId)),
      api('/api/tasks/' + encodeURIComponent(taskId) + '/messages' + query({ tail: MESSAGE_PAGE, exclude_types: excludedTypes().join(',') })),
    ]);
    if (view !== state.task) return;
    $('task-status').textContent = task.body.status;
    $('task-status').className = 'status ' + task.body.status;
    view.total = task.body.message_count;
    $('task-count').textContent = view.total + ' messages';
    appendMessages(withRawInputs(page.body, rawInputs(page.text, 2)));
    $('load-older').hidden = page.headers.get('X-Has-More') !== 'true';
    const scroller = $('messages-scroll');
    scroller.scrollTop = scroller.scrollHeight;
    requestAnimationFrame(() => {
      window.strataTimings.firstPaint = performance.now();
      window.strataTimings.firstPaintMessages = page.body.length;
    });
    followTask(view);
  } catch (e) {
    if (e.status === 404) notice('No task ' + taskId + ' in this workspace.');
    else if (e.status !== 401) notice(e.message);
  }
}

async function loadOlder() {
  const view = state.task;
  if (!view || view.oldest === null) return;
  const scroller = $('messages-scroll');
  const before = scroller.scrollHeight;
  const button = $('load-older');
  button.disabled = true;
  try {
    const page = await api('/api/tasks/' + encodeURIComponent(view.id) + '/messages'
      + query({ before: view.oldest, limit: MESSAGE_PAGE, exclude_types: excludedTypes().join(',') }));
    if (view !== state.task) return;
    prependMessages(withRawInputs(page.body, rawInputs(page.text, 2)));
    button.hidden = page.headers.get('X-Has-More') !== 'true';
    // Keep the message the reader was looking at in place.
    scroller.scrollTop += scroller.scrollHeight - before;
  } catch (e) {
    if (e.status !== 401) notice(e.message);
  } finally {
    button.disabled = false;
  }
}

function appendMessages(messages) {
  const fragment = document.createDocumentFragment();
  for (const m of messages) {
    if (state.task.seen.has(m.seq)) continue;
    state.task.seen.add(m.seq);
    fragment.append(messageNode(m));
    state.task.newest = Math.max(state.task.newest, m.seq);
    if (state.task.oldest === null || m.seq < state.task.oldest) state.task.oldest = m.seq;
  }
  $('messages').append(fragment);
}

function prependMessages(messages) {
  const fragment = document.createDocumentFragment();
  for (const m of messages) {
    if (state.task.seen.has(m.seq)) continue;
    state.task.seen.add(m.seq);
    fragment.append(messageNode(m));
    if (m.seq < state.task.oldest) state.task.oldest = m.seq;
  }
  $('messages').prepend(fragment);
}

/** One message, by type. Stored text only ever goes through textContent. */
function messageNode(m) {
  const li = el('li', 'msg ' + (TYPES.includes(m.type) ? m.type : 'other'));
  li.dataset.seq = m.seq;
  li.dataset.type = m.type;
  const head = el('div', 'head');
  head.append(el('span', 'seq', '#' + m.seq), el('span', 'type', m.type === 'tool-use' ? 'tool call' : m.type));
  if (m.tool) head.append(el('span', 'tool mono', m.tool));
  if (m.call_id) head.append(el('span', 'call mono', m.call_id));
  head.append(el('span', 'time', when(m.created_at)));
  li.append(head);
  switch (m.type) {
    case 'tool-use':
      if (m.input !== undefined && m.input !== null) li.append(el('pre', 'input', inputText(m)));
      if (m.content) li.append(el('div', 'body', m.content));
      break;
    case 'tool-result': {
      const text = [m.content, m.output].filter(Boolean).join('\n');
      const details = el('details');
      details.append(el('summary', null, 'result, ' + bytes(utf8Length(text))), el('pre', 'output', text));
      li.append(details);
      break;
    }
    default:
      if (m.content) li.append(el('div', 'body', m.content));
      if (m.output) li.append(el('pre', 'output', m.output));
      if (m.input !== undefined && m.input !== null) li.append(el('pre', 'input', inputText(m)));
  }
  return li;
}

function atBottom(scroller) {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK;
}

/** The live tail: new messages appear at the end, and the view follows them while it is at the bottom. */
function followTask(view) {
  const scroller = $('messages-scroll');
  const connect = () => openStream('/api/tasks/' + encodeURIComponent(view.id) + '/messages/stream',
    { since: view.newest >= 0 ? view.newest : undefined, exclude_types: excludedTypes().join(',') }, {
      message: (event) => {
        if (view !== state.task) return;
        const follow = atBottom(scroller);
        const before = view.seen.size;
        appendMessages(withRawInputs([JSON.parse(event.data)], rawInputs(event.data, 1)));
        view.total += view.seen.size - before;
        $('task-count').textContent = view.total + ' messages';
        if (follow) scroller.scrollTop = scroller.scrollHeight;
      },
      end: (event) => {
        const end = JSON.parse(event.data);
        $('task-status').textContent = end.status;
        $('task-status').className = 'status ' + end.status;
        $('task-end').textContent = 'Task ' + end.status + '.';
        $('task-end').hidden = false;
        view.ended = true;
        closeStreams();
        $('live-task').classList.remove('on');
      },
      open: () => $('live-task').classList.add('on'),
      error: () => {
        $('live-task').classList.remove('on');
        if (!view.ended) setTimeout(() => { if (view === state.task) connect(); }, 2000);
      },
    }).catch(() => $('live-task').classList.remove('on'));
  connect();
}

// ---- storage ------------------------------------------------------------------------------

async function showStorage() {
  $('view-storage').hidden = false;
  $('stats-workspace').replaceChildren();
  $('stats-store').replaceChildren();
  try {
    const { body } = await api('/api/admin/stats');
    fill($('stats-workspace'), [
      ['Tasks', body.workspace.tasks], ['Messages', body.workspace.messages],
      ['Content objects', body.workspace.content_objects], ['Content bytes', bytes(body.workspace.content_bytes)],
    ]);
    const s = body.store;
    fill($('stats-store'), [
      ['Tasks', s.tasks], ['Messages', s.messages],
      ['Metadata database', bytes(s.metadata_bytes)],
      ['Content objects', s.content_objects], ['Content bytes', bytes(s.content_bytes)],
      ['Compression ratio', s.compression_ratio === null ? 'n/a' : s.compression_ratio + ' : 1 (' + s.compression_sampled_segments + ' segments)'],
      ['Cache hit ratio', s.cache_hit_ratio === null ? 'n/a' : (s.cache_hit_ratio * 100).toFixed(1) + ' %'],
      ['Pending deletions', s.pending_deletions], ['Overdue deletions', s.overdue_deletions],
      ['Compaction backlog', s.compaction_backlog + ' tasks'],
    ]);
  } catch (e) {
    if (e.status === 403) notice('The storage page is for workspace owners.');
    else if (e.status !== 401) notice(e.message);
  }
}

function fill(dl, pairs) {
  for (const [name, value] of pairs) {
    const dd = el('dd', null, value);
    dd.dataset.stat = name;
    dl.append(el('dt', null, name), dd);
  }
}

// ---- wiring -------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value); });
  $('sign-out').addEventListener('click', () => signOut(''));
  $('workspace').addEventListener('change', () => {
    session.workspace = $('workspace').value;
    updateNav();
    go('#/tasks');
  });
  $('status-filter').addEventListener('change', () => { $('search').value = ''; state.tasks.page = 0; state.tasks.cursors = [null]; loadTaskPage(); });
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); searchTask($('search').value); });
  $('next-page').addEventListener('click', () => { state.tasks.page++; loadTaskPage(); });
  $('first-page').addEventListener('click', () => { $('search').value = ''; state.tasks.page = 0; loadTaskPage(); });
  $('load-older').addEventListener('click', loadOlder);
  window.addEventListener('hashchange', route);
  route();
});

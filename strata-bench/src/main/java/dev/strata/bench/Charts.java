package dev.strata.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Plain PNG charts drawn with Java2D, so the bench needs no plotting library. */
final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color STRATA = new Color(0x1f77b4);
    private static final Color BASELINE = new Color(0xd62728);

    private Charts() {}

    /** Two series of (x, y) on a log-scale y axis: latency against task length. */
    static void lines(Path file, String title, String xLabel, String yLabel, List<double[]> points) {
        BufferedImage image = canvas();
        Graphics2D g = graphics(image, title);
        double maxX = points.stream().mapToDouble(p -> p[0]).max().orElse(1);
        double minY = points.stream()
                .flatMapToDouble(p -> java.util.stream.DoubleStream.of(p[1], p[2]))
                .filter(v -> v > 0)
                .min()
                .orElse(0.01);
        double maxY = points.stream()
                .flatMapToDouble(p -> java.util.stream.DoubleStream.of(p[1], p[2]))
                .max()
                .orElse(1);
        double logMin = Math.floor(Math.log10(minY));
        double logMax = Math.ceil(Math.log10(maxY));
        if (logMax <= logMin) {
            logMax = logMin + 1;
        }
        axes(g, xLabel, yLabel);
        for (double decade = logMin; decade <= logMax; decade++) {
            int y = yOf(decade, logMin, logMax);
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(format(Math.pow(10, decade)), 10, y + 4);
        }
        for (int tick = 0; tick <= 4; tick++) {
            double x = maxX * tick / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f", x), xOf(x, maxX) - 10, HEIGHT - BOTTOM + 20);
        }
        for (int series = 1; series <= 2; series++) {
            g.setColor(series == 1 ? STRATA : BASELINE);
            g.setStroke(new BasicStroke(2f));
            int[] previous = null;
            for (double[] p : points) {
                if (p[series] <= 0) {
                    continue;
                }
                int[] current = {xOf(p[0], maxX), yOf(Math.log10(p[series]), logMin, logMax)};
                if (previous != null) {
                    g.drawLine(previous[0], previous[1], current[0], current[1]);
                }
                previous = current;
            }
        }
        legend(g, "Strata", "original design");
        write(image, file);
    }

    /** Pairs of bars (Strata, baseline) per label; a baseline value below zero is not drawn. */
    static void bars(Path file, String title, String yLabel, List<String> labels, double[] strata, double[] baseline) {
        BufferedImage image = canvas();
        Graphics2D g = graphics(image, title);
        axes(g, "", yLabel);
        double max = 0;
        for (int i = 0; i < labels.size(); i++) {
            max = Math.max(max, Math.max(strata[i], baseline[i]));
        }
        max = max <= 0 ? 1 : max * 1.15;
        int slot = (WIDTH - LEFT - RIGHT) / labels.size();
        for (int i = 0; i < labels.size(); i++) {
            int x = LEFT + i * slot + slot / 6;
            int barWidth = slot / 3;
            drawBar(g, STRATA, x, barWidth, strata[i], max);
            if (baseline[i] >= 0) {
                drawBar(g, BASELINE, x + barWidth, barWidth, baseline[i], max);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString(labels.get(i), x, HEIGHT - BOTTOM + 20);
        }
        legend(g, "Strata", "original design");
        write(image, file);
    }

    private static void drawBar(Graphics2D g, Color color, int x, int width, double value, double max) {
        int height = (int) ((HEIGHT - TOP - BOTTOM) * value / max);
        g.setColor(color);
        g.fillRect(x, HEIGHT - BOTTOM - height, width - 4, height);
        g.setColor(Color.DARK_GRAY);
        g.drawString(format(value), x, HEIGHT - BOTTOM - height - 5);
    }

    private static BufferedImage canvas() {
        return new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    }

    private static Graphics2D graphics(BufferedImage image, String title) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    private static void axes(Graphics2D g, String xLabel, String yLabel) {
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawString(xLabel, WIDTH / 2 - 40, HEIGHT - 15);
        g.drawString(yLabel, 10, TOP - 10);
    }

    private static void legend(Graphics2D g, String first, String second) {
        g.setColor(STRATA);
        g.fillRect(WIDTH - 230, TOP, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(first, WIDTH - 212, TOP + 11);
        g.setColor(BASELINE);
        g.fillRect(WIDTH - 140, TOP, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(second, WIDTH - 122, TOP + 11);
    }

    private static int xOf(double x, double maxX) {
        return LEFT + (int) ((WIDTH - LEFT - RIGHT) * x / maxX);
    }

    private static int yOf(double logValue, double logMin, double logMax) {
        return HEIGHT - BOTTOM - (int) ((HEIGHT - TOP - BOTTOM) * (logValue - logMin) / (logMax - logMin));
    }

    private static String format(double value) {
        if (value >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.3g", value);
    }

    private static void write(BufferedImage image, Path file) {
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

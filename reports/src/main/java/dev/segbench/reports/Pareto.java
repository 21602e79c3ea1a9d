package dev.segbench.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The accuracy/latency Pareto front: points no other point beats on both (lower latency, higher accuracy). */
public final class Pareto {

    /** A point to rank: its latency (lower is better) and accuracy (higher is better). */
    public record Point(String label, double latency, double accuracy) {
    }

    private Pareto() {
    }

    /** The non-dominated points, ordered by increasing latency. */
    public static List<Point> front(List<Point> points) {
        List<Point> front = new ArrayList<>();
        for (Point p : points) {
            boolean dominated = false;
            for (Point q : points) {
                if (q != p && q.latency() <= p.latency() && q.accuracy() >= p.accuracy()
                        && (q.latency() < p.latency() || q.accuracy() > p.accuracy())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingDouble(Point::latency).thenComparing(Point::accuracy, Comparator.reverseOrder()));
        return front;
    }
}

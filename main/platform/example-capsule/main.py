"""Example capsule: a few seeded random walks, written to /results as a CSV table and a PNG plot.

Deterministic: the same seed (parameter "seed", default 42) gives byte-identical results, so two
runs of the same version compare as identical.
"""
import csv
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_png import Canvas  # noqa: E402

RESULTS = os.environ.get("RESULTS_DIR", "/results")
SEED = int(os.environ.get("PARAM_seed", "42"))
STEPS = int(os.environ.get("PARAM_steps", "200"))
WALKS = 4
COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]


def walks(seed, steps, count):
    rng = random.Random(seed)
    series = []
    for _ in range(count):
        position, path = 0.0, [0.0]
        for _ in range(steps):
            position += rng.gauss(0.0, 1.0)
            path.append(round(position, 6))
        series.append(path)
    return series


def plot(series, path):
    width, height, margin = 640, 400, 40
    canvas = Canvas(width, height)
    low = min(min(s) for s in series)
    high = max(max(s) for s in series)
    span = (high - low) or 1.0
    steps = len(series[0]) - 1

    def to_pixel(step, value):
        x = margin + round(step * (width - 2 * margin) / steps)
        y = height - margin - round((value - low) * (height - 2 * margin) / span)
        return x, y

    axis = (60, 60, 60)
    canvas.line(margin, height - margin, width - margin, height - margin, axis)
    canvas.line(margin, margin, margin, height - margin, axis)
    zero_y = to_pixel(0, 0.0)[1]
    for x in range(margin, width - margin, 6):
        canvas.set(x, zero_y, (180, 180, 180))
    for series_index, values in enumerate(series):
        color = COLORS[series_index % len(COLORS)]
        previous = to_pixel(0, values[0])
        for step, value in enumerate(values[1:], start=1):
            point = to_pixel(step, value)
            canvas.line(previous[0], previous[1], point[0], point[1], color)
            previous = point
    with open(path, "wb") as out:
        out.write(canvas.png())


def main():
    print(f"simulating {WALKS} random walks of {STEPS} steps with seed {SEED}", flush=True)
    series = walks(SEED, STEPS, WALKS)
    os.makedirs(RESULTS, exist_ok=True)
    table = os.path.join(RESULTS, "walks.csv")
    with open(table, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["step"] + [f"walk_{i + 1}" for i in range(WALKS)])
        for step in range(STEPS + 1):
            writer.writerow([step] + [s[step] for s in series])
    print(f"wrote {table}", flush=True)
    plot(series, os.path.join(RESULTS, "walks.png"))
    print(f"wrote {os.path.join(RESULTS, 'walks.png')}", flush=True)
    for i, s in enumerate(series):
        print(f"walk_{i + 1}: final position {s[-1]:+.3f}, max {max(s):+.3f}, min {min(s):+.3f}", flush=True)


if __name__ == "__main__":
    main()

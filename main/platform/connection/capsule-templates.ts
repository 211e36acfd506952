import type { CreateCapsuleRequest } from '../../../common/protocol/index.js';
import type { CapsuleTemplateId } from '../../../common/api/capsules.contract.js';

// Starting points for a new capsule. Each one runs as it is, prints its progress line by line (so
// the live log has something to show), reads its parameters from PARAM_<name>, and writes a table
// and a picture to $RESULTS_DIR — deterministic, so a re-run compares as identical.

interface Template {
  id: CapsuleTemplateId;
  label: string;
  description: string;
  request: Omit<CreateCapsuleRequest, 'name' | 'description'>;
}

const PYTHON_MAIN = `"""A starting point: a damped oscillation, written as a CSV table and an SVG plot."""
import csv
import math
import os
import time

RESULTS = os.environ.get("RESULTS_DIR", "/results")
STEPS = int(os.environ.get("PARAM_steps", "40"))
DAMPING = float(os.environ.get("PARAM_damping", "0.08"))


def main():
    os.makedirs(RESULTS, exist_ok=True)
    rows = []
    for step in range(STEPS):
        value = math.exp(-DAMPING * step) * math.cos(step / 2)
        rows.append((step, round(value, 6)))
        print(f"step {step + 1}/{STEPS}: value {value:+.4f}", flush=True)
        time.sleep(0.05)
    with open(os.path.join(RESULTS, "values.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["step", "value"])
        writer.writerows(rows)
    width, height = 400, 200
    points = " ".join(f"{10 + s * (width - 20) / max(1, STEPS - 1):.1f},{height / 2 - v * (height / 2 - 10):.1f}" for s, v in rows)
    with open(os.path.join(RESULTS, "plot.svg"), "w") as out:
        out.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
                  f'<rect width="100%" height="100%" fill="white"/>'
                  f'<line x1="10" y1="{height / 2}" x2="{width - 10}" y2="{height / 2}" stroke="#999"/>'
                  f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{points}"/></svg>\\n')
    print("wrote values.csv and plot.svg", flush=True)


if __name__ == "__main__":
    main()
`;

const R_MAIN = `# A starting point: a damped oscillation, written as a CSV table and a PNG plot (base R only).
results <- Sys.getenv("RESULTS_DIR", "/results")
steps <- as.integer(Sys.getenv("PARAM_steps", "40"))
damping <- as.numeric(Sys.getenv("PARAM_damping", "0.08"))
dir.create(results, showWarnings = FALSE, recursive = TRUE)
step <- seq_len(steps) - 1
value <- round(exp(-damping * step) * cos(step / 2), 6)
for (i in seq_along(step)) {
  cat(sprintf("step %d/%d: value %+.4f\\n", i, steps, value[i]))
  flush(stdout())
}
write.csv(data.frame(step = step, value = value), file.path(results, "values.csv"), row.names = FALSE)
png(file.path(results, "plot.png"), width = 480, height = 240)
plot(step, value, type = "l", col = "steelblue", lwd = 2)
invisible(dev.off())
cat("wrote values.csv and plot.png\\n")
`;

const SHELL_MAIN = `#!/bin/sh
# A starting point: counts words in this capsule's files, writes a CSV table and an SVG bar chart.
set -eu
results="\${RESULTS_DIR:-/results}"
code="\${CODE_DIR:-/code}"
mkdir -p "$results"
echo "file,words" > "$results/words.csv"
y=10
bars=""
for f in "$code"/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  words=$(wc -w < "$f" | tr -d ' ')
  echo "$name: $words words"
  echo "$name,$words" >> "$results/words.csv"
  bars="$bars<rect x=\\"120\\" y=\\"$y\\" width=\\"$words\\" height=\\"14\\" fill=\\"#2ca02c\\"/><text x=\\"4\\" y=\\"$((y + 12))\\" font-size=\\"12\\">$name</text>"
  y=$((y + 20))
done
printf '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="%d"><rect width="100%%" height="100%%" fill="white"/>%s</svg>\\n' "$((y + 10))" "$bars" > "$results/words.svg"
echo "wrote words.csv and words.svg"
`;

const readme = (what: string, run: string) => `# ${what}

Edit the code, then launch a run from the capsule page. Parameters arrive as environment variables
\`PARAM_<name>\`; write your outputs to \`$RESULTS_DIR\` (\`/results\`). The code is mounted read-only
at \`/code\`, datasets at \`/data\`.

Run: \`${run}\`
`;

const TEMPLATES: readonly Template[] = [
  {
    id: 'python',
    label: 'Python',
    description: 'A Python 3 script with a CSV table and an SVG plot; standard library only.',
    request: {
      environment: { baseImage: 'python:3.12-slim', apt: [], pip: [], conda: [] },
      command: ['python3', '/code/main.py'],
      files: [
        { path: 'main.py', content: PYTHON_MAIN },
        { path: 'README.md', content: readme('Python capsule', 'python3 /code/main.py') },
      ],
    },
  },
  {
    id: 'r',
    label: 'R',
    description: 'An R script with a CSV table and a PNG plot; base R only.',
    request: {
      environment: { baseImage: 'r-base:4.4.1', apt: [], pip: [], conda: [] },
      command: ['Rscript', '/code/main.R'],
      files: [
        { path: 'main.R', content: R_MAIN },
        { path: 'README.md', content: readme('R capsule', 'Rscript /code/main.R') },
      ],
    },
  },
  {
    id: 'shell',
    label: 'Shell',
    description: 'A POSIX shell script with a CSV table and an SVG chart; no packages.',
    request: {
      environment: { baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: [] },
      command: ['sh', '/code/main.sh'],
      files: [
        { path: 'main.sh', content: SHELL_MAIN, executable: true },
        { path: 'README.md', content: readme('Shell capsule', 'sh /code/main.sh') },
      ],
    },
  },
];

export function listTemplates() {
  return TEMPLATES.map((t) => ({
    id: t.id,
    label: t.label,
    description: t.description,
    baseImage: t.request.environment.baseImage,
    files: (t.request.files ?? []).map((f) => f.path),
  }));
}

export function templateRequest(id: CapsuleTemplateId, name: string, description: string): CreateCapsuleRequest {
  const template = TEMPLATES.find((t) => t.id === id);
  if (!template) throw new Error(`unknown template ${id}`);
  return { ...template.request, name, description: description || template.description };
}

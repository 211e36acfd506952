// Preloaded (--import) into the services agent by main.test.ts: its first stdout write, the
// announcement, is held until the process that started it has exited. That makes the parent's
// death fall between the agent's start and its announcement every time, not by luck of timing.
const parentAtStart = process.ppid;
const write = process.stdout.write.bind(process.stdout);
const pause = new Int32Array(new SharedArrayBuffer(4));
let held = false;

process.stdout.write = ((...args: Parameters<typeof write>) => {
  if (!held) {
    held = true;
    for (let i = 0; i < 6000 && process.ppid === parentAtStart; i++) Atomics.wait(pause, 0, 0, 10);
  }
  return write(...args);
}) as typeof process.stdout.write;

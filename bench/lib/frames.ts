/**
 * A page function (as text: tsx would wrap a named function in a helper the page does not have)
 * that resolves with the time between animation frames, in ms, over `duration` ms.
 */
export const FRAME_DELTAS_SCRIPT = `(duration) => new Promise((resolve) => {
  const deltas = [];
  let last = performance.now();
  const end = last + duration;
  const tick = (now) => {
    deltas.push(now - last);
    last = now;
    if (now < end) requestAnimationFrame(tick);
    else resolve(deltas);
  };
  requestAnimationFrame(tick);
})`;

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The value at fraction `p` (0..1) of the sorted samples. */
export const percentile = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

// Round-trip-based retransmission timeout, as RFC 6298 computes it (and as the Session Manager
// plugin does, with its constants): smoothed RTT with gain 1/8, variation with gain 1/4,
// timeout = srtt + max(granularity, 4 × rttvar), capped at one second.

const RTT_GAIN = 1 / 8;
const RTTVAR_GAIN = 1 / 4;
const CLOCK_GRANULARITY_MS = 10;
export const MAX_TIMEOUT_MS = 1000;
export const INITIAL_TIMEOUT_MS = 200;
const INITIAL_RTT_MS = 100;

export class RetransmissionTimer {
  #rtt = INITIAL_RTT_MS;
  #rttVariation = 0;
  #timeout = INITIAL_TIMEOUT_MS;

  /** The current timeout in milliseconds. */
  get timeoutMs(): number {
    return this.#timeout;
  }

  get smoothedRttMs(): number {
    return this.#rtt;
  }

  /** One round trip measured on a message that was sent once (Karn: a resent one's ack is ambiguous). */
  sample(rttMs: number): void {
    this.#rttVariation = (1 - RTTVAR_GAIN) * this.#rttVariation + RTTVAR_GAIN * Math.abs(this.#rtt - rttMs);
    this.#rtt = (1 - RTT_GAIN) * this.#rtt + RTT_GAIN * rttMs;
    this.#timeout = Math.min(MAX_TIMEOUT_MS, this.#rtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.#rttVariation));
  }
}

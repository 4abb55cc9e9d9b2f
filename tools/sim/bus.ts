/**
 * The simulator's event stream: every component publishes what happened as
 * `{ type, data }`; the web server relays each event to the page over
 * server-sent events. The latest event of each "state" key is kept, so a page
 * that connects (or reconnects) late first gets the current state.
 */
export interface SimEvent {
  type: string;
  /** For state events: which one (a terminal's name), so each key keeps its latest. */
  key?: string;
  at: number;
  data: unknown;
}

export class EventBus {
  readonly #listeners = new Set<(event: SimEvent) => void>();
  readonly #state = new Map<string, SimEvent>();
  readonly #log: SimEvent[] = [];
  readonly #started = performance.now();

  /** Milliseconds since the simulator started (what the page shows). */
  now(): number {
    return Math.round(performance.now() - this.#started);
  }

  /** Something that happened (kept in a short history for late pages). */
  emit(type: string, data: unknown): void {
    const event = { type, at: this.now(), data };
    this.#log.push(event);
    if (this.#log.length > 200) this.#log.shift();
    this.#send(event);
  }

  /** The current value of something (a terminal's display, the phone's code): only the latest is replayed. */
  state(type: string, key: string, data: unknown): void {
    const event = { type, key, at: this.now(), data };
    this.#state.set(`${type}\u0000${key}`, event);
    this.#send(event);
  }

  /** What a new page needs first: the current states, then the recent history. */
  snapshot(): SimEvent[] {
    return [...this.#state.values(), ...this.#log];
  }

  subscribe(listener: (event: SimEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #send(event: SimEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/**
 * A tiny event emitter for the host application (no Node `events` on XS).
 * A listener that throws is reported through `onListenerError` and never
 * disturbs the payment flow that emitted the event.
 */
export type Listener<T> = (event: T) => void;

export class Emitter<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Listener<never>[]>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener as Listener<never>);
    this.#listeners.set(name, list);
    return () => {
      const current = this.#listeners.get(name);
      if (!current) return;
      const at = current.indexOf(listener as Listener<never>);
      if (at >= 0) current.splice(at, 1);
    };
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const list = this.#listeners.get(name);
    if (!list) return;
    for (const listener of list.slice()) {
      try {
        (listener as Listener<Events[K]>)(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}

/** What the customer and the merchant see and hear: a small text display, a status light, a buzzer. */
export type Tone = 'idle' | 'busy' | 'success' | 'failure' | 'attention';

export interface DisplayMessage {
  /** Headline, such as "APPROVED" (a small display fits about 16 characters). */
  title: string;
  detail?: string;
}

export interface Indicators {
  display(message: DisplayMessage): void;
  /** Sets the status light (an RGB LED shows one colour per tone). */
  light(tone: Tone): void;
  /** Plays the buzzer pattern for the tone. */
  beep(tone: Tone): void;
}

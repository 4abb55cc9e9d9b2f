/**
 * One simulated terminal of the browser simulator: the real core
 * (createTerminal) on the simulator board, with the board's parts wired so the
 * page sees them: the display, light and buzzer as they are set, the relay
 * line's every edge, the GNSS driver's samples, and the frames the scanner
 * looks at with what it found in them. The faults a scenario needs are in the
 * board too, never in the core: a network switch and a slow link in the HTTP
 * HAL, a wall clock that can be set wrong, a GNSS receiver that loses the sky,
 * moves or restarts indoors, and a power cut armed at the storage's next write.
 */
import type { Clock } from '../../hal/clock';
import type { Frame } from '../../hal/camera';
import { HalError } from '../../hal/errors';
import type { LocationSample, LocationSensor } from '../../hal/gnss';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import type { DisplayMessage, Indicators, Tone } from '../../hal/indicators';
import { DigitalActuator } from '../../hal/portable/digital-actuator';
import type { ReceiverEpoch } from '../../hal/sim/nmea-format';
import { NodeHttpClient } from '../../hal/sim/http';
import { RecordingLine } from '../../hal/sim/recording-line';
import { SystemClock } from '../../hal/sim/system-clock';
import { stationary } from '../../hal/sim/tracks';
import { trackSerial } from '../../hal/sim/track-serial';
import { createSimulatorHal, type SimulatorHal } from '../../boards/simulator/hal';
import type { PublicKey } from '../../src/authorization/signer';
import type { Charge } from '../../src/authorization/charge';
import { NmeaLocationSensor } from '../../src/location/index';
import { codePrefix } from '../../src/paycode/format';
import { squareToQuad } from '../../src/scan/homography';
import { createScanLoop } from '../../src/scan/scan-loop';
import type { Point, ScanResult } from '../../src/scan/result';
import { createFrameScanner } from '../../src/scan/scanner';
import type { CodeSource } from '../../src/terminal/code-source';
import type { Decision } from '../../src/terminal/decision';
import { createTerminal, type Terminal } from '../../src/terminal/terminal';
import { simulatorMerchant } from '../authorizer/composition';
import { PhoneScene } from '../demo/phone-scene';
import type { EventBus } from './bus';

/** The board's wall clock, which a scenario may set wrong (timers and monotonic time stay true). */
export class AdjustableClock extends SystemClock {
  offset = 0;

  override now(): number {
    return super.now() + this.offset;
  }
}

export type NetworkMode = 'up' | 'down';

/** The HTTP HAL behind a switch: the link can go down (unreachable) or slow (each answer arrives `delayMs` late). */
export class SimNetwork implements HttpClient {
  mode: NetworkMode = 'up';
  delayMs = 0;
  readonly #inner: HttpClient;
  readonly #clock: Clock;
  readonly #onResponse: (request: HttpRequest, response: HttpResponse) => void;

  constructor(inner: HttpClient, clock: Clock, onResponse: (request: HttpRequest, response: HttpResponse) => void) {
    this.#inner = inner;
    this.#clock = clock;
    this.#onResponse = onResponse;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (this.mode === 'down') throw new HalError('unreachable', `${request.url}: network down (simulator)`);
    const delay = this.delayMs;
    // The request reaches the authorizer at once; only its answer is late, as with a slow authorizer.
    const answer = this.#inner.request(request);
    if (delay > 0) {
      answer.catch(() => undefined);
      await new Promise<void>((resolve) => this.#clock.setTimer(resolve, Math.min(delay, request.timeout)));
      if (delay >= request.timeout) throw new HalError('timeout', `${request.url}: no answer within ${request.timeout} ms (authorizer slow, simulator)`);
    }
    const response = await answer;
    this.#onResponse(request, response);
    return response;
  }
}

/** Where the GNSS receiver is: on site, without sky (stale fix, then none), or carried 1.2 km away. */
export type GnssMode = 'sky' | 'no-sky' | 'off-site';

/** The terminal's view of its receiver: the NMEA driver over the simulated UART, replaced when the module restarts. */
class Receiver implements LocationSensor {
  current: NmeaLocationSensor;

  constructor(sensor: NmeaLocationSensor) {
    this.current = sensor;
  }

  sample(): LocationSample {
    return this.current.sample();
  }

  close(): void {
    this.current.close();
  }
}

export interface StationOptions {
  name: string;
  dataDir: string;
  authorizerUrl: string;
  authorizerKey: PublicKey;
  bus: EventBus;
  /** Metres from the merchant's site, east, north (each terminal stands somewhere else on it). */
  offset?: [number, number];
}

interface Stage {
  name: string;
  start: number;
  end?: number;
}

const frameInterval = 250;

export class Station {
  readonly name: string;
  readonly scene = new PhoneScene();
  gnssMode: GnssMode = 'sky';
  #clockOffset = 0;
  #networkMode: NetworkMode = 'up';
  #delayMs = 0;
  #powerCutArmed = false;
  readonly #options: StationOptions;
  readonly #bus: EventBus;
  #hal: SimulatorHal | undefined;
  #terminal: Terminal | undefined;
  #network: SimNetwork | undefined;
  #receiver: Receiver | undefined;
  #gnssTimer: number | undefined;
  #stages: Stage[] = [];
  #busy = false;

  constructor(options: StationOptions) {
    this.name = options.name;
    this.#options = options;
    this.#bus = options.bus;
  }

  get terminal(): Terminal {
    if (!this.#terminal) throw new Error(`terminal ${this.name} is not running`);
    return this.#terminal;
  }

  get hal(): SimulatorHal {
    if (!this.#hal) throw new Error(`terminal ${this.name} is not running`);
    return this.#hal;
  }

  /** The enrolled identity's id, once the terminal has started. */
  get terminalId(): string | undefined {
    return this.#terminal?.identity?.terminalId;
  }

  /** What the terminal's GNSS driver reports now (undefined while the board is off). */
  sample(): LocationSample | undefined {
    return this.#receiver?.sample();
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Powers the board up (again): a new HAL over the same data directory, the core started on it. */
  async boot(): Promise<void> {
    const name = this.name;
    const bus = this.#bus;
    const clock = new AdjustableClock();
    clock.offset = this.#clockOffset;
    const network = new SimNetwork(new NodeHttpClient(), clock, (request, response) => this.#answered(request, response));
    network.mode = this.#networkMode;
    network.delayMs = this.#delayMs;
    this.#network = network;
    const hal = createSimulatorHal({ dataDirectory: this.#options.dataDir, clock, quiet: true, http: network, camera: { scene: this.scene, frameRate: 12 } });
    hal.indicators = this.#indicators();
    const line = new RecordingLine({ clock, onChange: (t) => this.#relayChanged(line, t.value, t.at) });
    hal.actuatorLine = line;
    hal.actuator = new DigitalActuator({ output: line, clock });
    this.#hal = hal;
    this.#receiver = new Receiver(this.#gnssSensor(hal));
    const terminal = createTerminal({
      hal,
      location: this.#receiver,
      codeSource: this.#codeSource(hal),
      config: {
        authorizerUrl: this.#options.authorizerUrl,
        firmware: '0.1.0-sim',
        device: { model: 'qrpay-sim', serial: `SIM-${name.toUpperCase()}`, board: 'simulator' },
        actuation: { kind: 'hold', ms: 600 },
        authorizerKey: this.#options.authorizerKey,
        stepUp: { pollMs: 250, timeoutMs: 120_000 },
      },
    });
    this.#terminal = terminal;
    this.#listen(terminal);
    bus.state('relay', name, { value: 0, pulses: [] });
    const identity = await terminal.start();
    bus.state('terminal', name, {
      name, terminalId: identity.terminalId, merchant: identity.merchant.name, currency: identity.merchant.currency,
      purposes: identity.merchant.purposes, offline: identity.limits.offline ?? null, maxAmount: identity.limits.maxAmount,
    });
    this.#controls();
    const tick = () => {
      bus.state('gnss', name, { mode: this.gnssMode, sample: this.#receiver?.sample() });
      this.#gnssTimer = hal.clock.setTimer(tick, 1000);
    };
    tick();
  }

  /** Runs one charge; the decision (or why there was none) is on the bus too. */
  async charge(charge: Charge): Promise<Decision> {
    if (this.#busy) throw new HalError('busy', `terminal ${this.name} is busy with a payment`);
    this.#busy = true;
    this.#bus.state('charging', this.name, { charge });
    try {
      return await this.terminal.charge(charge);
    } catch (error) {
      // No decision will close the stage that was running (a power cut, no code shown): it ends here.
      this.#stage(undefined);
      this.#bus.emit('charge-failed', { terminal: this.name, error: (error as Error).message, kind: (error as { kind?: string; code?: string }).kind ?? (error as { code?: string }).code });
      throw error;
    } finally {
      this.#busy = false;
      this.scene.clear();
      this.#bus.state('camera-view', this.name, { holding: false });
      this.#bus.state('charging', this.name, null);
    }
  }

  /** Holds a phone's screen in front of the camera until the payment ends. */
  show(screen: Parameters<PhoneScene['show']>[0], what: string): void {
    this.scene.show(screen);
    this.#bus.state('camera-view', this.name, { holding: true, what });
  }

  set network(mode: NetworkMode) {
    this.#networkMode = mode;
    if (this.#network) this.#network.mode = mode;
    this.#controls();
  }

  get network(): NetworkMode {
    return this.#networkMode;
  }

  set delayMs(ms: number) {
    this.#delayMs = ms;
    if (this.#network) this.#network.delayMs = ms;
    this.#controls();
  }

  set clockOffset(ms: number) {
    this.#clockOffset = ms;
    if (this.#hal) (this.#hal.clock as AdjustableClock).offset = ms;
    this.#controls();
  }

  setGnss(mode: GnssMode): void {
    this.gnssMode = mode;
    this.#controls();
  }

  /** The GNSS module restarts: a fresh driver that has never had a fix (status absent until the sky gives one). */
  restartGnss(): void {
    const hal = this.hal;
    const receiver = this.#receiver!;
    receiver.current.close();
    receiver.current = this.#gnssSensor(hal);
  }

  /** Power fails during the storage write that follows the authorizer's verified acceptance (before the relay moves). */
  armPowerCut(): void {
    this.#powerCutArmed = true;
    this.#controls();
  }

  /** The board loses power: nothing more runs on it (a `boot()` is the power coming back). */
  powerOff(): void {
    if (this.#gnssTimer !== undefined && this.#hal) this.#hal.clock.clearTimer(this.#gnssTimer);
    this.#gnssTimer = undefined;
    this.#receiver?.close();
    this.#hal?.shutdown();
    this.#terminal = undefined;
    this.#hal = undefined;
    this.#network = undefined;
  }

  stop(): void {
    this.powerOff();
  }

  #controls(): void {
    this.#bus.state('controls', this.name, {
      network: this.#networkMode, delayMs: this.#delayMs, clockOffset: this.#clockOffset, gnss: this.gnssMode, powerCutArmed: this.#powerCutArmed,
    });
  }

  #indicators(): Indicators {
    const { name } = this;
    const bus = this.#bus;
    return {
      display: (message: DisplayMessage) => bus.state('display', name, message),
      light: (tone: Tone) => bus.state('light', name, { tone }),
      beep: (tone: Tone) => bus.emit('beep', { terminal: name, tone }),
    };
  }

  #relayChanged(line: RecordingLine, value: 0 | 1, at: number): void {
    const pulses = line.pulses().map((p) => ({ start: Math.round(p.start), duration: Math.round(p.duration) }));
    this.#bus.state('relay', this.name, { value, at: Math.round(at), pulses });
    if (value === 0 && pulses.length > 0) this.#bus.emit('relay-pulse', { terminal: this.name, duration: pulses[pulses.length - 1].duration });
  }

  #gnssSensor(hal: SimulatorHal): NmeaLocationSensor {
    const site = simulatorMerchant.site;
    const [east, north] = this.#options.offset ?? [0, 0];
    const base = stationary({
      start: Date.now(), seconds: 24 * 3600, seed: this.name.length, acquisition: 0, altitude: 41,
      latitude: site.latitude + north / 111_320, longitude: site.longitude + east / (111_320 * Math.cos((site.latitude * Math.PI) / 180)),
    });
    const mode = () => this.gnssMode;
    // A restarted module indoors has never had a fix: it stays absent until it sees the sky.
    function* epochs(): Generator<ReceiverEpoch> {
      for (const epoch of base) {
        const now = mode();
        if (now === 'no-sky') yield { ...epoch, fix: 'none', gps: 0, glonass: 0, beidou: 0 };
        else if (now === 'off-site') yield { ...epoch, latitude: epoch.latitude + 0.011 };
        else yield epoch;
      }
    }
    const serial = trackSerial('ublox-m8n', epochs(), { clock: hal.clock });
    return new NmeaLocationSensor({ serial, clock: hal.clock, maxAge: 5000 });
  }

  /** The scanner over the camera HAL (what cameraCodeSource does), with each frame it looked at shown on the page. */
  #codeSource(hal: SimulatorHal): CodeSource {
    const scanner = createFrameScanner();
    return (found) => {
      let lastShown = -Infinity;
      const loop = createScanLoop({
        camera: hal.camera!,
        cameraOptions: { imageType: 'gray8' },
        clock: hal.clock,
        scan: (frame, options) => {
          const result = scanner(frame, options);
          const now = hal.clock.monotonic();
          if (result.kind === 'code' || now - lastShown >= frameInterval) {
            lastShown = now;
            this.#publishFrame(frame, result);
          }
          return result;
        },
        onCode: (code) => {
          if (code.text.indexOf(codePrefix) === 0) found(code.text);
        },
        onError: (error) => this.#bus.emit('camera-error', { terminal: this.name, error: error.message }),
      });
      loop.start();
      return () => loop.close();
    };
  }

  #publishFrame(frame: Frame, result: ScanResult): void {
    const luma = frame.data.subarray(0, frame.width * frame.height);
    // A read code: its three finder centres where the scanner's geometry puts them (module 3.5 in from each
    // corner of the outline it returned); an unreadable one: the finder patterns the scanner confirmed.
    let finders: Point[] = [];
    if (result.kind === 'unreadable') finders = result.finders;
    else if (result.kind === 'code') {
      const { topLeft, topRight, bottomRight, bottomLeft } = result.corners;
      const toPixel = squareToQuad(topLeft, topRight, bottomRight, bottomLeft);
      const centre = 3.5 / (17 + 4 * result.version);
      finders = [toPixel.map(centre, centre), toPixel.map(1 - centre, centre), toPixel.map(centre, 1 - centre)];
    }
    this.#bus.state('frame', this.name, {
      width: frame.width, height: frame.height, sequence: frame.sequence, luma: Buffer.from(luma).toString('base64'),
      result: result.kind,
      ...(result.kind === 'code' ? { corners: result.corners, version: result.version, path: result.path } : {}),
      ...(result.kind === 'unreadable' ? { reason: result.reason } : {}),
      finders: finders.map((f) => ({ x: f.x, y: f.y })),
    });
  }

  #answered(request: HttpRequest, response: HttpResponse): void {
    if (request.url.endsWith('/v1/authorize') || (request.url.includes('/v1/step-up/') && response.status === 200)) this.#stage('verify decision');
  }

  #stage(name: string | undefined): void {
    const now = this.#hal ? this.#hal.clock.monotonic() : performance.now();
    const open = this.#stages[this.#stages.length - 1];
    if (open && open.end === undefined) open.end = now;
    if (name) this.#stages.push({ name, start: now });
    const first = this.#stages[0]?.start ?? now;
    this.#bus.state('stages', this.name, this.#stages.map((s) => ({
      name: s.name, start: Math.round(s.start - first), ms: s.end === undefined ? null : Math.round(s.end - s.start),
    })));
  }

  #listen(terminal: Terminal): void {
    const { name } = this;
    const bus = this.#bus;
    terminal.on('waiting', (e) => {
      this.#stages = [];
      this.#stage('scan');
      bus.emit('waiting', { terminal: name, charge: e.charge });
    });
    terminal.on('scanned', () => this.#stage('verify'));
    terminal.on('code-checked', (e) => {
      if (e.verdict.status === 'verified') this.#stage('sign');
      else this.#stage(undefined);
      bus.emit('code-checked', { terminal: name, status: e.verdict.status, reason: e.verdict.reason ?? null, summary: e.summary });
    });
    terminal.on('request-signed', (e) => {
      this.#stage('send');
      bus.emit('request-signed', { terminal: name, trace: e.trace, bytes: e.bytes, location: e.location });
    });
    terminal.on('attempt', (e) => bus.emit('attempt', { terminal: name, trace: e.trace, attempt: e.attempt }));
    terminal.on('attempt-failed', (e) => bus.emit('attempt-failed', { terminal: name, trace: e.trace, reason: e.failure.reason, detail: e.failure.detail }));
    terminal.on('step-up', (e) => {
      this.#stage('confirm in app');
      bus.emit('step-up', { terminal: name, trace: e.trace, display: e.display });
    });
    terminal.on('verified', (e) => {
      const accepted = e.outcome === 'approved' || e.outcome === 'held';
      this.#stage(accepted ? 'actuate' : undefined);
      bus.emit('verified', { terminal: name, ...e });
      if (accepted && this.#powerCutArmed && this.#hal) {
        this.#powerCutArmed = false;
        this.#hal.storage.power.cutAfter(1, 'torn');
        bus.emit('power-cut', { terminal: name, trace: e.trace, detail: 'power fails during the next flash write: the ledger entry that releases the goods' });
        this.#controls();
      }
    });
    terminal.on('actuated', (e) => bus.emit('actuated', { terminal: name, trace: e.trace, actuation: e.actuation }));
    terminal.on('decision', (d) => {
      this.#stage(undefined);
      bus.emit('decision', {
        terminal: name, outcome: d.outcome, reason: d.reason, display: d.display, source: d.source, trace: d.trace ?? null,
        approvalCode: d.approvalCode ?? null, actuated: d.actuated, offline: d.offline ?? null, reversal: d.reversal ?? null,
        attempts: d.failures.length,
      });
    });
    terminal.on('reversal-queued', (e) => bus.emit('reversal-queued', { terminal: name, ...e }));
    terminal.on('reversed', (e) => bus.emit('reversed', { terminal: name, trace: e.trace, reason: e.reason, effect: e.effect }));
    terminal.on('offline-uploaded', (e) => bus.emit('offline-uploaded', { terminal: name, trace: e.trace, outcome: e.decision.outcome, reason: e.decision.reason }));
    terminal.on('clock-skew', (e) => bus.emit('clock-skew', { terminal: name, ...e }));
    terminal.on('enrolled', (e) => bus.emit('enrolled', { terminal: name, ...e }));
    terminal.on('listener-error', (e) => bus.emit('listener-error', { terminal: name, error: String(e.error) }));
  }
}

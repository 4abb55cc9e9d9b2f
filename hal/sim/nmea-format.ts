/**
 * Writes NMEA 0183 sentences with correct checksums, in the dialect of a given
 * receiver (talker ids, sentence order, decimal places, what it prints before
 * the first fix). The simulator's generated tracks go through here.
 */

export type ReceiverModel = 'ublox-m8n' | 'quectel-l76' | 'atgm336h';

/** One receiver epoch: what the receiver believes, not the truth. */
export interface ReceiverEpoch {
  /** UTC, epoch milliseconds. */
  time: number;
  /** False in the first seconds of a cold start, before the receiver knows the time. */
  timeKnown: boolean;
  /** Milliseconds since power-on (what a MediaTek receiver prints as the time before it knows it). */
  uptime: number;
  /** 'none' before the first fix or with no sky. */
  fix: 'none' | '2d' | '3d' | 'differential';
  latitude: number;
  longitude: number;
  altitude: number;
  /** Metres per second and degrees true. */
  speed: number;
  course: number;
  /** Satellites used, per constellation. */
  gps: number;
  glonass: number;
  beidou: number;
  hdop: number;
  vdop: number;
  /** 1 σ errors, metres, as a receiver's GST would report them. */
  latitudeSigma: number;
  longitudeSigma: number;
  altitudeSigma: number;
}

/** `$body*hh` with the XOR checksum. */
export function sentence(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatTime(time: number, decimals: number): string {
  const d = new Date(time);
  const base = `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;
  return decimals === 0 ? base : `${base}.${pad(d.getUTCMilliseconds(), 3).slice(0, decimals).padEnd(decimals, '0')}`;
}

export function formatDate(time: number): string {
  const d = new Date(time);
  return `${pad(d.getUTCDate(), 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCFullYear() % 100, 2)}`;
}

/** Degrees → `ddmm.mmmmm,N` (degreeDigits 2) or `dddmm.mmmmm,E` (3). */
export function formatCoordinate(value: number, degreeDigits: number, decimals: number, positive: string, negative: string): string {
  const abs = Math.abs(value);
  let degrees = Math.floor(abs);
  let minutes = Number(((abs - degrees) * 60).toFixed(decimals));
  if (minutes >= 60) {
    degrees += 1;
    minutes -= 60;
  }
  const [whole, fraction] = minutes.toFixed(decimals).split('.');
  return `${pad(degrees, degreeDigits)}${whole.padStart(2, '0')}.${fraction},${value < 0 ? negative : positive}`;
}

interface Dialect {
  /** Talker for the combined sentences (RMC, GGA, GNS, VTG, GLL, GST). */
  talker: string;
  timeDecimals: number;
  minuteDecimals: number;
  /** Sentences in the receiver's order. */
  order: string[];
  /** GGA's satellite count is capped at 12 (NMEA 4.0 field width). */
  ggaCap: number;
}

const dialects: Record<ReceiverModel, Dialect> = {
  // u-blox M8N, NMEA 4.0, with GNS and GST enabled by the terminal's set-up (UBX-CFG-MSG).
  'ublox-m8n': { talker: 'GN', timeDecimals: 2, minuteDecimals: 5, order: ['RMC', 'VTG', 'GGA', 'GNS', 'GSA', 'GSV', 'GLL', 'GST'], ggaCap: 12 },
  // Quectel L76 (MediaTek), GPS + GLONASS.
  'quectel-l76': { talker: 'GN', timeDecimals: 3, minuteDecimals: 4, order: ['RMC', 'VTG', 'GGA', 'GSA', 'GSV', 'GLL'], ggaCap: 99 },
  // ZhongKe Micro ATGM336H, GPS + BeiDou, NMEA 4.1 with ZDA and an antenna TXT.
  atgm336h: { talker: 'GN', timeDecimals: 3, minuteDecimals: 5, order: ['GGA', 'GLL', 'GSA', 'GSV', 'RMC', 'VTG', 'ZDA', 'TXT'], ggaCap: 99 },
};

/**
 * GSV: the satellites in view, four a sentence: the ones used (strong signals)
 * and three more low on the horizon (weak or not tracked). Elevation and azimuth
 * drift slowly with time, as satellites do.
 */
function satellitesInView(talker: string, firstId: number, used: number, time: number): string[] {
  const inView = used > 0 ? used + 3 : 0;
  const minutes = Math.floor(time / 60_000);
  const messages = Math.max(1, Math.ceil(inView / 4));
  const out: string[] = [];
  for (let m = 0; m < messages; m++) {
    let body = `${talker}GSV,${messages},${m + 1},${pad(inView, 2)}`;
    for (let k = m * 4; k < Math.min(inView, m * 4 + 4); k++) {
      const id = firstId + k;
      const elevation = k < used ? 15 + ((id * 37 + minutes) % 70) : 3 + (id % 9);
      const azimuth = (id * 53 + minutes) % 360;
      const snr = k < used ? pad(30 + ((id * 7 + minutes) % 16), 2) : k % 2 === 0 ? pad(12 + (id % 8), 2) : '';
      body += `,${pad(id, 2)},${pad(elevation, 2)},${pad(azimuth, 3)},${snr}`;
    }
    out.push(sentence(body));
  }
  return out;
}

function fixed(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

/** The sentences of one epoch, as the model prints them (without line ends). */
export function formatEpoch(model: ReceiverModel, e: ReceiverEpoch): string[] {
  const d = dialects[model];
  const t = d.talker;
  const has = e.fix !== 'none';
  // Before it knows the time a u-blox or ATGM leaves time and date empty; a MediaTek (L76) counts from its
  // unset real-time clock: 00:00:00.800 on 6 January 1980.
  const rtc = model === 'quectel-l76' ? Date.UTC(1980, 0, 6) + 800 + e.uptime : undefined;
  const time = e.timeKnown ? formatTime(e.time, d.timeDecimals) : rtc === undefined ? '' : formatTime(rtc, d.timeDecimals);
  const date = e.timeKnown ? formatDate(e.time) : rtc === undefined ? '' : formatDate(rtc);
  const lat = has ? formatCoordinate(e.latitude, 2, d.minuteDecimals, 'N', 'S') : ',';
  const lon = has ? formatCoordinate(e.longitude, 3, d.minuteDecimals, 'E', 'W') : ',';
  const second = model === 'atgm336h' ? e.beidou : e.glonass;
  const used = has ? e.gps + second : 0;
  const quality = !has ? 0 : e.fix === 'differential' ? 2 : 1;
  const mode = !has ? 'N' : e.fix === 'differential' ? 'D' : 'A';
  const knots = e.speed / (1852 / 3600);
  const hdop = has ? fixed(e.hdop, model === 'ublox-m8n' ? 2 : 1) : model === 'ublox-m8n' ? '99.99' : '';
  const out: string[] = [];
  for (const type of d.order) {
    switch (type) {
      case 'RMC': {
        const nav = model === 'atgm336h' ? ',V' : '';
        out.push(sentence(`${t}RMC,${time},${has ? 'A' : 'V'},${lat},${lon},${has ? fixed(knots, 3) : ''},${has ? fixed(e.course, 2) : ''},${date},,,${mode}${nav}`));
        break;
      }
      case 'VTG':
        out.push(sentence(`${t}VTG,${has ? fixed(e.course, 2) : ''},T,,M,${has ? fixed(knots, 3) : ''},N,${has ? fixed(e.speed * 3.6, 3) : ''},K,${mode}`));
        break;
      case 'GGA':
        out.push(sentence(`${t}GGA,${time},${lat},${lon},${quality},${pad(Math.min(used, d.ggaCap), 2)},${hdop},${has ? fixed(e.altitude, 1) : ''},${has ? 'M' : ''},${has ? '17.0' : ''},${has ? 'M' : ''},,`));
        break;
      case 'GNS': {
        const modes = !has ? 'NN' : `${e.gps > 0 ? mode : 'N'}${e.glonass > 0 ? mode : 'N'}`;
        out.push(sentence(`${t}GNS,${time},${lat},${lon},${modes},${pad(used, 2)},${hdop},${has ? fixed(e.altitude, 1) : ''},${has ? '17.0' : ''},,`));
        break;
      }
      case 'GSA': {
        const modeNumber = !has ? 1 : e.fix === '2d' ? 2 : 3;
        const dops = has ? `${fixed(Math.hypot(e.hdop, e.vdop), 2)},${fixed(e.hdop, 2)},${fixed(e.vdop, 2)}` : '99.99,99.99,99.99';
        const ids = (first: number, count: number): string => {
          const list: string[] = [];
          for (let i = 0; i < 12; i++) list.push(has && i < count ? pad(first + i, 2) : '');
          return list.join(',');
        };
        const system = model === 'atgm336h' ? [',1', ',4'] : ['', ''];
        out.push(sentence(`${t}GSA,A,${modeNumber},${ids(2, e.gps)},${dops}${system[0]}`));
        out.push(sentence(`${t}GSA,A,${modeNumber},${ids(model === 'atgm336h' ? 6 : 65, second)},${dops}${system[1]}`));
        break;
      }
      case 'GSV': {
        const systems: [string, number, number][] = model === 'atgm336h'
          ? [['GP', 2, e.gps], ['BD', 6, e.beidou]]
          : [['GP', 2, e.gps], ['GL', 65, e.glonass]];
        for (const [gsvTalker, firstId, count] of systems) out.push(...satellitesInView(gsvTalker, firstId, count, e.time));
        break;
      }
      case 'GLL':
        out.push(sentence(`${t}GLL,${lat},${lon},${time},${has ? 'A' : 'V'},${mode}`));
        break;
      case 'GST':
        out.push(sentence(`${t}GST,${time},${has ? fixed(e.hdop * 3, 1) : ''},,,,${has ? fixed(e.latitudeSigma, 1) : ''},${has ? fixed(e.longitudeSigma, 1) : ''},${has ? fixed(e.altitudeSigma, 1) : ''}`));
        break;
      case 'ZDA': {
        const day = new Date(e.time);
        const fields = e.timeKnown ? `${pad(day.getUTCDate(), 2)},${pad(day.getUTCMonth() + 1, 2)},${day.getUTCFullYear()}` : ',,';
        out.push(sentence(`${t}ZDA,${time},${fields},00,00`));
        break;
      }
      case 'TXT':
        out.push(sentence('GPTXT,01,01,01,ANTENNA OK'));
        break;
    }
  }
  return out;
}

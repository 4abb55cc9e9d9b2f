// The qrpay sim page: plain browser JavaScript, no build step, no framework, nothing fetched from elsewhere.
// It draws what the event stream (GET /events, server-sent events) says the real components did, and sends
// each button to the simulator as POST /api/<action>.
'use strict';

const terminals = new Map();
const $ = (selector, root = document) => root.querySelector(selector);

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function money(cents) {
  return cents === null || cents === undefined ? '-' : (cents / 100).toFixed(2);
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function act(action, body = {}) {
  const response = await fetch(`/api/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!answer.ok) log(`${action}: ${answer.error}`, 'refused');
  return answer;
}

let lastAt = 0;

function log(text, kind = 'event') {
  const list = $('#log');
  const item = element('li', { 'data-kind': kind }, `${seconds(lastAt).padStart(8)}  ${text}`);
  list.prepend(item);
  while (list.children.length > 150) list.lastChild.remove();
}

// ── terminals ──────────────────────────────────────────────────────────────

function terminalCard(name) {
  let card = terminals.get(name);
  if (card) return card;
  const node = $('#terminal-template').content.firstElementChild.cloneNode(true);
  node.id = `terminal-${name}`;
  $('.terminal-name', node).textContent = name;
  $('.charge', node).addEventListener('click', () => act('charge', { terminal: name, amount: Number($('.amount', node).value) }));
  $('.take-away', node).addEventListener('click', () => act('take-away', { terminal: name }));
  $('.network', node).addEventListener('change', (e) => act('control', { terminal: name, network: e.target.checked ? 'up' : 'down' }));
  $('.gnss-mode', node).addEventListener('change', (e) => act('control', { terminal: name, gnss: e.target.value }));
  $('#terminals').append(node);
  const option = element('option', { value: name }, name);
  $('#phone-target').append(option);
  card = { node, name };
  terminals.set(name, card);
  renderScreenshots();
  return card;
}

function drawFrame(card, frame) {
  const canvas = $('canvas.camera', card.node);
  canvas.width = frame.width;
  canvas.height = frame.height;
  const context = canvas.getContext('2d');
  const luma = Uint8Array.from(atob(frame.luma), (c) => c.charCodeAt(0));
  const image = context.createImageData(frame.width, frame.height);
  for (let i = 0; i < luma.length; i++) {
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = luma[i];
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  // What the scanner found: finder-pattern centres, and the code's outline when it read one.
  context.lineWidth = 2;
  context.strokeStyle = '#f97316';
  for (const f of frame.finders) {
    context.beginPath();
    context.arc(f.x, f.y, 9, 0, Math.PI * 2);
    context.stroke();
  }
  if (frame.corners) {
    const c = frame.corners;
    context.strokeStyle = '#22c55e';
    context.beginPath();
    context.moveTo(c.topLeft.x, c.topLeft.y);
    for (const p of [c.topRight, c.bottomRight, c.bottomLeft]) context.lineTo(p.x, p.y);
    context.closePath();
    context.stroke();
  }
  const what = frame.result === 'code' ? `code read: QR version ${frame.version}, ${frame.path} path`
    : frame.result === 'unreadable' ? `finders seen, unreadable (${frame.reason})` : 'no code in view';
  $('.camera-caption', card.node).textContent = `frame ${frame.sequence} (${frame.width}x${frame.height} gray8): ${what}; ${frame.finders.length} finder pattern(s)`;
  card.node.dataset.scan = frame.result;
}

function drawStages(card, stages) {
  const list = $('.stages', card.node);
  list.replaceChildren();
  const total = Math.max(1, ...stages.map((s) => s.start + (s.ms ?? 0)));
  for (const stage of stages) {
    const item = element('li', { 'data-stage': stage.name });
    if (stage.ms === null) item.classList.add('open');
    const bar = element('div', { class: 'bar' });
    bar.style.marginLeft = `${(stage.start / total) * 100}%`;
    bar.style.width = `${((stage.ms ?? 0) / total) * 100}%`;
    const track = element('div');
    track.append(bar);
    item.append(element('span', {}, stage.name), track, element('span', {}, stage.ms === null ? '…' : `${stage.ms} ms`));
    list.append(item);
  }
}

function drawGnss(card, gnss) {
  const s = gnss.sample;
  if (!s) return;
  const where = s.status === 'fix'
    ? `${s.latitude.toFixed(5)}, ${s.longitude.toFixed(5)} ±${Math.round(s.accuracy ?? 0)} m, ${s.satellites} satellites (${s.fix})`
    : s.status === 'stale' ? `last fix ${seconds(s.age ?? 0)} old` : 'no fix since power-on';
  $('.gnss', card.node).textContent = `GNSS ${s.status}: ${where}; antenna: ${gnss.mode}`;
  card.node.dataset.gnss = s.status;
  $('.gnss-mode', card.node).value = gnss.mode;
}

// ── phone ──────────────────────────────────────────────────────────────────

let phone;
let screenshots = [];

function drawPhone(state) {
  phone = state;
  const canvas = $('#phone-screen');
  canvas.width = state.screen.width;
  canvas.height = state.screen.height;
  const context = canvas.getContext('2d');
  const luma = Uint8Array.from(atob(state.screen.luma), (c) => c.charCodeAt(0));
  const image = context.createImageData(state.screen.width, state.screen.height);
  for (let i = 0; i < luma.length; i++) {
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = luma[i];
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  $('#phone-code').textContent = `code ${state.codeId}`;
  $('#account').textContent = state.account;
  screenshots = state.screenshots;
  renderScreenshots();
}

function renderScreenshots() {
  const list = $('#screenshots');
  list.replaceChildren();
  for (const shot of screenshots) {
    const item = element('li', { 'data-screenshot': String(shot.id) }, `#${shot.id} code ${shot.codeId}, taken ${new Date(shot.takenAt).toLocaleTimeString()} `);
    for (const name of terminals.keys()) {
      const button = element('button', { type: 'button', class: 'show-screenshot', 'data-terminal': name }, `show at ${name}`);
      button.addEventListener('click', () => act('show', { terminal: name, screenshot: shot.id }));
      item.append(button);
    }
    list.append(item);
  }
}

setInterval(() => {
  if (!phone) return;
  const left = Math.max(0, phone.expiresAt - Date.now());
  $('#phone-expiry').textContent = `valid ${seconds(left)} more`;
}, 250);

// ── operator ───────────────────────────────────────────────────────────────

function operatorButton(label, body) {
  const button = element('button', { type: 'button', class: `op-${body.action}` }, label);
  button.addEventListener('click', () => act('operator', body));
  return button;
}

function drawOperator(state) {
  const tbody = $('#payments tbody');
  tbody.replaceChildren();
  for (const p of state.payments) {
    const row = element('tr', { 'data-request': String(p.id), 'data-outcome': p.outcome ?? '' });
    const factors = element('td', { class: 'factors' });
    for (const f of p.factors) factors.append(element('span', { class: 'factor', title: f.detail, 'data-factor': f.name }, `${f.name} +${f.points}`));
    if (p.customerScore !== null) factors.append(element('span', { class: 'small' }, ` (customer ${p.customerScore}, acceptance ${p.acceptanceScore})`));
    const actions = element('td');
    if (p.state === 'pending') actions.append(operatorButton('release', { action: 'release', requestId: p.id }), operatorButton('reverse', { action: 'reverse', requestId: p.id }));
    if (p.state === 'captured') {
      actions.append(operatorButton('refund 1.00', { action: 'refund', requestId: p.id, amount: 100 }));
      actions.append(operatorButton('report', { action: 'report', requestId: p.id }));
    }
    row.append(
      element('td', {}, String(p.id)),
      element('td', {}, `${p.terminalName ?? p.terminal_id ?? '-'} #${p.trace ?? '-'}`),
      element('td', {}, `${money(p.amount)} ${p.currency ?? ''}`),
      element('td', { class: `outcome-${p.outcome}` }, p.outcome ?? '-'),
      element('td', { class: 'reason' }, p.reason ?? '-'),
      element('td', {}, `${p.state ?? '-'}${p.stepUp ? ` (step-up ${p.stepUp})` : ''}`),
      factors,
      actions,
    );
    tbody.append(row);
  }
  const terminalsBody = $('#terminal-table tbody');
  terminalsBody.replaceChildren();
  for (const t of state.terminals) {
    terminalsBody.append(element('tr', {}, undefined));
    const row = terminalsBody.lastChild;
    for (const value of [t.id, t.name ?? '-', t.status, t.firmware, t.last_trace, t.requests]) row.append(element('td', {}, String(value)));
  }
}

function addNotification(data, at) {
  const row = element('tr', { 'data-channel': data.channel, 'data-kind': data.kind });
  const d = data.data ?? {};
  const what = d.outcome ? `${d.outcome} ${money(d.amount)} ${d.currency ?? ''}${d.reason ? ` (${d.reason})` : ''}`
    : Object.entries(d).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k} ${String(v).slice(0, 16)}`).slice(0, 4).join(', ');
  row.append(element('td', {}, seconds(at)), element('td', {}, data.channel), element('td', {}, data.kind), element('td', { class: 'what' }, what));
  const tbody = $('#notifications tbody');
  tbody.prepend(row);
  while (tbody.children.length > 40) tbody.lastChild.remove();
  if (data.channel === 'wallet-push') {
    const list = $('#phone-notifications');
    list.prepend(element('li', {}, `${data.kind}: ${what}`));
    while (list.children.length > 30) list.lastChild.remove();
  }
}

// ── scenarios ──────────────────────────────────────────────────────────────

let scenarioButtonsDrawn = false;

function drawScenarios(state) {
  const box = $('#scenario-buttons');
  if (!scenarioButtonsDrawn) {
    for (const s of state.list) {
      const button = element('button', { type: 'button', 'data-scenario': s.id, title: s.detail }, s.title);
      button.addEventListener('click', () => act('scenario', { id: s.id }));
      box.append(button);
    }
    const list = $('#not-supported ul');
    for (const n of state.notSupported) list.append(element('li', {}, `${n.title}: ${n.why}`));
    $('#not-supported').hidden = state.notSupported.length === 0;
    scenarioButtonsDrawn = true;
  }
  for (const button of box.querySelectorAll('button')) {
    button.classList.toggle('running', button.dataset.scenario === state.running);
    button.disabled = state.running !== null;
  }
  document.body.dataset.scenario = state.running ?? '';
}

// ── the event stream ───────────────────────────────────────────────────────

const handlers = {
  terminal: (data, key) => {
    const card = terminalCard(key);
    $('.terminal-id', card.node).textContent = `${data.terminalId} · ${data.merchant} · ${data.currency}${data.offline ? ` · offline up to ${money(data.offline.floorLimit)}` : ''}`;
  },
  display: (data, key) => {
    const card = terminalCard(key);
    $('.display-title', card.node).textContent = data.title;
    $('.display-detail', card.node).textContent = data.detail ?? '';
  },
  light: (data, key, at) => {
    const card = terminalCard(key);
    $('.led', card.node).dataset.tone = data.tone;
    $('.led-text', card.node).textContent = `${data.tone} since ${seconds(at)}`;
    $('.display', card.node).dataset.tone = data.tone;
  },
  beep: (data, _key, at) => {
    const card = terminalCard(data.terminal);
    const buzzer = $('.buzzer', card.node);
    buzzer.textContent = `buzzer: ${data.tone} at ${seconds(at)}`;
    buzzer.classList.add('beeping');
    setTimeout(() => buzzer.classList.remove('beeping'), 400);
  },
  relay: (data, key, at) => {
    const card = terminalCard(key);
    const relay = $('.relay', card.node);
    relay.dataset.state = data.value === 1 ? 'on' : 'off';
    relay.textContent = data.value === 1 ? 'relay ON' : 'relay off';
    const last = data.pulses[data.pulses.length - 1];
    $('.relay-pulses', card.node).textContent = data.pulses.length
      ? `fired ${data.pulses.length}x, last held ${last.duration} ms` : data.value === 1 ? `closed at ${seconds(at)}` : 'never fired';
    card.node.dataset.relayPulses = String(data.pulses.length);
    if (data.value === 1) log(`${key}: relay ON`);
  },
  'relay-pulse': (data) => log(`${data.terminal}: relay pulse, held ${data.duration} ms`),
  gnss: (data, key) => drawGnss(terminalCard(key), data),
  controls: (data, key) => {
    const card = terminalCard(key);
    $('.network', card.node).checked = data.network === 'up';
    $('.clock', card.node).textContent = [data.delayMs ? `answers +${data.delayMs} ms` : '', data.clockOffset ? `clock ${data.clockOffset > 0 ? '+' : ''}${seconds(data.clockOffset)}` : '', data.powerCutArmed ? 'power cut armed' : ''].filter(Boolean).join(' · ');
  },
  frame: (data, key) => drawFrame(terminalCard(key), data),
  stages: (data, key) => drawStages(terminalCard(key), data),
  'camera-view': (data, key) => {
    const card = terminalCard(key);
    card.node.dataset.holding = data.holding ? 'yes' : 'no';
    if (data.holding) log(`${key}: ${data.what} held up to the camera`);
  },
  charging: (data, key) => {
    const card = terminalCard(key);
    $('.charge', card.node).disabled = data !== null;
    if (data) {
      const decision = $('.decision', card.node);
      decision.textContent = `${money(data.charge.amount)} ${data.charge.currency}: waiting for a code`;
      decision.dataset.outcome = '';
    }
  },
  decision: (data) => {
    const card = terminalCard(data.terminal);
    const decision = $('.decision', card.node);
    decision.dataset.outcome = data.outcome;
    decision.dataset.reason = data.reason;
    const extra = data.offline && data.offline.accepted ? ' · offline' : data.reversal ? ` · reversal ${data.reversal.state}` : '';
    decision.textContent = `${data.outcome.toUpperCase()}: ${data.reason}${data.approvalCode ? ` · ${data.approvalCode}` : ''} · ${data.source}${extra}${data.actuated ? ' · relay fired' : ''}`;
    log(`${data.terminal}: ${data.outcome} (${data.reason}), decided by the ${data.source}${data.actuated ? ', relay fired' : ''}`);
  },
  'charge-failed': (data) => {
    const card = terminalCard(data.terminal);
    const decision = $('.decision', card.node);
    decision.dataset.outcome = 'failed';
    decision.textContent = `no payment: ${data.error}`;
    log(`${data.terminal}: charge failed: ${data.error}`);
  },
  phone: (data, key) => {
    if (key === 'phone') drawPhone(data);
    else log(`phone: ${data.text}`);
  },
  'step-up-pending': (data) => {
    const box = $('#step-up');
    box.hidden = data === null;
    if (data) $('#step-up-text').textContent = `Confirm ${money(data.amount)} ${data.currency ?? ''} at ${data.merchant ?? 'the merchant'}?`;
  },
  operator: (data) => drawOperator(data),
  notification: (data, _key, at) => addNotification(data, at),
  scenarios: (data) => drawScenarios(data),
  scenario: (data) => {
    const result = $('#scenario-result');
    result.classList.toggle('failed', data.state === 'failed');
    result.dataset.state = data.state;
    result.dataset.scenario = data.id;
    result.textContent = `${data.title}: ${data.state}${data.summary ? ` — ${data.summary}` : ''}`;
    log(`scenario ${data.title}: ${data.state}${data.summary ? `: ${data.summary}` : ''}`, 'scenario');
  },
  'code-checked': (d) => log(`${d.terminal}: code ${d.status}${d.reason ? ` (${d.reason})` : ''}: ${d.summary}`),
  'request-signed': (d) => log(`${d.terminal}: request signed, trace ${d.trace}, ${d.bytes} bytes, location ${d.location.status ?? ''}`),
  attempt: (d) => log(`${d.terminal}: POST /v1/authorize, attempt ${d.attempt}`),
  'attempt-failed': (d) => log(`${d.terminal}: attempt failed: ${d.reason}: ${d.detail}`),
  'step-up': (d) => {
    const decision = $('.decision', terminalCard(d.terminal).node);
    decision.dataset.outcome = 'step-up';
    decision.textContent = 'STEP-UP: waiting for the customer to confirm in the wallet app';
    log(`${d.terminal}: step-up verified: "${d.display}"`);
  },
  verified: (d) => log(`${d.terminal}: decision verified: ${d.outcome} (${d.reason})`),
  actuated: (d) => log(`${d.terminal}: actuator fired (trace ${d.trace})`),
  'reversal-queued': (d) => log(`${d.terminal}: trace ${d.trace} given up (${d.reason}): reversal stored`),
  reversed: (d) => log(`${d.terminal}: trace ${d.trace} reversed (${d.reason}): ${d.effect}`),
  'offline-uploaded': (d) => log(`${d.terminal}: offline payment trace ${d.trace} uploaded: ${d.outcome} (${d.reason})`),
  'clock-skew': (d) => log(`${d.terminal}: clock skew: ${d.detail}`),
  'power-cut': (d) => log(`${d.terminal}: POWER CUT: ${d.detail}`),
  enrolled: (d) => log(`${d.terminal}: ${d.fromStorage ? 'identity loaded' : 'enrolled'} as ${d.terminalId}`),
  'operator-act': (d) => log(`operator: ${d.action} ${d.requestId ?? d.account ?? ''}: ${JSON.stringify(d.result)}`),
  log: (d) => log(d.text),
};

function connect() {
  const events = new EventSource('/events');
  events.onopen = () => {
    $('#connection').textContent = 'live';
    $('#connection').classList.add('live');
    document.body.dataset.connected = 'yes';
  };
  events.onerror = () => {
    $('#connection').textContent = 'reconnecting…';
    $('#connection').classList.remove('live');
  };
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const handler = handlers[event.type];
    lastAt = event.at;
    if (handler) handler(event.data, event.key, event.at);
  };
}

$('#phone-show').addEventListener('click', () => act('show', { terminal: $('#phone-target').value }));
$('#phone-screenshot').addEventListener('click', () => act('screenshot'));
$('#step-up-confirm').addEventListener('click', () => act('step-up-answer', { confirm: true }));
$('#step-up-refuse').addEventListener('click', () => act('step-up-answer', { confirm: false }));
$('#freeze-account').addEventListener('click', () => act('operator', { action: 'freeze', account: phone && phone.account, reason: 'frozen from the operator panel' }));
$('#unfreeze-account').addEventListener('click', () => act('operator', { action: 'unfreeze', account: phone && phone.account }));
connect();

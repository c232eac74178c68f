// avmit rating app (issue 15): instructions -> [headphone check] -> training -> screening
// -> rating queue. Served by `avmit annotate serve`; no third-party code, nothing fetched
// from anywhere but this server. document.body.dataset.state names the current step
// (the browser test waits on it): login, instructions, headphones, playing, respond,
// warning, submitting, feedback, break, done, failed.
'use strict';

const $ = (id) => document.getElementById(id);
const S = { csrf: '', state: null, trials: [], cache: new Map(), bonus: 0,
            sinceBreak: 0, busy: false };

function setState(name) { document.body.dataset.state = name; }
function show(id) {
  for (const el of document.querySelectorAll('.screen')) el.hidden = el.id !== id;
}

async function api(method, path, body) {
  const opt = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.headers['X-CSRF-Token'] = S.csrf;
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(path, opt);
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  return { status: r.status, body: j };
}

// POST until the server acknowledges (same request id every time: recorded once).
async function postReliably(path, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await api('POST', path, body);
      if (r.status !== 429 && r.status < 500) return r;
    } catch (e) { /* network error: retry */ }
    await new Promise((res) => setTimeout(res, Math.min(8000, 250 * 2 ** attempt)));
  }
}

function requestId() {
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- login and state -------------------------------------------------------------
async function login() {
  const m = /[#&]t=([A-Za-z0-9.]+)/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, '', location.pathname); // the token leaves the address bar
  const r = await api('POST', '/api/login', { token: m[1] });
  if (r.status !== 200) {
    $('login-error').textContent = 'This link is not valid.';
    return false;
  }
  S.csrf = r.body.csrf;
  return true;
}

async function refresh() {
  const r = await api('GET', '/api/state');
  if (r.status === 401) { show('screen-login'); setState('login'); return; }
  S.state = r.body;
  S.csrf = r.body.csrf;
  S.bonus = r.body.bonus;
  $('bonus').textContent = S.bonus;
  route();
}

function route() {
  const p = S.state.phase;
  if (p === 'instructions') {
    $('hp-note').hidden = !S.state.headphone_check;
    show('screen-instructions'); setState('instructions');
  } else if (p === 'headphones') {
    startHeadphones();
  } else if (p === 'training' || p === 'screening' || p === 'rating') {
    nextTrial();
  } else if (p === 'failed') {
    end('Thank you', 'Your answers in the check did not reach the mark needed for this study. Thank you for your time.', 'failed');
  } else {
    end('Thank you', 'There is nothing more to rate.', 'done');
  }
}

function end(title, text, state) {
  $('end-title').textContent = title;
  $('end-text').textContent = text;
  show('screen-end'); setState(state);
}

// ---- headphone check (Huggins pitch + anti-phase, stimuli made by avmit) -----------
let HP = null;
async function startHeadphones() {
  const r = await api('GET', '/api/headphones');
  HP = { trials: r.body.trials.filter((t) => !t.answered), i: 0, total: r.body.trials.length };
  show('screen-headphones'); setState('headphones');
  hpShow();
}
function hpShow() {
  const t = HP.trials[HP.i];
  if (!t) { refresh(); return; }
  $('hp-count').textContent = `(${HP.total - HP.trials.length + HP.i + 1} of ${HP.total})`;
  $('hp-question').textContent = t.kind === 'huggins'
    ? 'You will hear three bursts of noise. Which one contained a faint tone?'
    : 'You will hear three tones. Which one was the quietest?';
  for (const b of document.querySelectorAll('[data-hp]')) b.disabled = true;
  $('hp-audio').src = t.audio;
}
$('hp-play').addEventListener('click', () => {
  const a = $('hp-audio');
  a.currentTime = 0;
  a.play();
  a.onended = () => { for (const b of document.querySelectorAll('[data-hp]')) b.disabled = false; };
});
for (const b of document.querySelectorAll('[data-hp]')) {
  b.addEventListener('click', async () => {
    const t = HP.trials[HP.i];
    for (const x of document.querySelectorAll('[data-hp]')) x.disabled = true;
    const r = await postReliably('/api/headphones', { trial: t.trial, answer: +b.dataset.hp, request_id: requestId() });
    HP.i++;
    if (r.body && r.body.phase !== 'headphones') refresh(); else hpShow();
  });
}

// ---- clips: preloaded whole into blob URLs -----------------------------------------
function preload(t) {
  if (S.cache.has(t.trial)) return S.cache.get(t.trial);
  const p = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(t.video, { credentials: 'same-origin' });
        if (r.ok) return URL.createObjectURL(await r.blob());
        if (r.status === 404 || r.status === 401) throw new Error('video ' + r.status);
      } catch (e) { if (attempt >= 4) throw e; }
      await new Promise((res) => setTimeout(res, 300 * 2 ** attempt));
    }
  })();
  S.cache.set(t.trial, p);
  return p;
}
function forget(trial) {
  const p = S.cache.get(trial);
  if (p) p.then((u) => URL.revokeObjectURL(u)).catch(() => {});
  S.cache.delete(trial);
}

// ---- a trial -----------------------------------------------------------------------
let T = null; // the trial on screen
async function nextTrial() {
  const phase = S.state.phase;
  if (phase === 'rating' && S.sinceBreak >= S.state.break_every) {
    S.sinceBreak = 0;
    $('break-count').textContent = S.state.rated;
    show('screen-break'); setState('break');
    return;
  }
  const r = await api('GET', '/api/trials');
  if (r.status !== 200) { setTimeout(refresh, 1000); return; }
  if (r.body.phase !== phase) { refresh(); return; }
  const list = r.body.trials;
  if (!list.length) { end('Thank you', 'All clips are rated for now. You may close this page.', 'done'); return; }
  for (const t of list) preload(t); // the current and the next clip
  const t = list[0];
  let url;
  try { url = await preload(t); } catch (e) { setTimeout(nextTrial, 1000); return; }
  T = { t, requestId: requestId(), replays: 0, early: 0, ended: false, onset: null,
        end: null, lastFrame: null, clock: 'perf' };
  const tag = phase === 'training' ? `Training ${S.state.done_in_phase + 1} of ${S.state.training_clips}`
            : phase === 'screening' ? `Screening ${S.state.done_in_phase + 1} of ${S.state.screening_clips}` : '';
  $('phase-tag').textContent = tag;
  $('label').textContent = t.label;
  show('screen-trial');
  const v = $('clip');
  v.src = url;
  play(true);
}

// Frame-accurate onset and end where the browser has requestVideoFrameCallback.
function watchFrames(v, token) {
  if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
  const cb = (now, meta) => {
    if (!T || T.token !== token) return;
    T.clock = 'rvfc';
    if (T.onset === null) T.onset = meta.expectedDisplayTime;
    if (T.lastFrame !== null && meta.expectedDisplayTime > T.lastFrame)
      T.frameMs = meta.expectedDisplayTime - T.lastFrame;
    T.lastFrame = meta.expectedDisplayTime;
    if (!T.ended) v.requestVideoFrameCallback(cb);
  };
  v.requestVideoFrameCallback(cb);
}

function play(first) {
  const v = $('clip');
  T.ended = false;
  T.onset = null;
  T.lastFrame = null;
  T.token = {};
  if (!first) T.replays++;
  setState('playing');
  watchFrames(v, T.token);
  v.currentTime = 0; // a replay starts from the first frame, never stuck on the last
  const started = performance.now();
  const p = v.play();
  if (p) p.catch(() => { $('hint').textContent = 'Click the clip to play it.'; });
  v.onplaying = () => { if (T.onset === null && T.clock === 'perf') T.onset = performance.now(); };
  v.onended = () => {
    const now = performance.now();
    // rVFC: the last frame left the screen one frame after it was shown; else the ended event
    T.end = T.clock === 'rvfc' && T.lastFrame !== null ? T.lastFrame + (T.frameMs || 1000 / 30) : now;
    T.clipMs = T.end - (T.onset === null ? started : T.onset);
    T.ended = true;
    setState('respond');
  };
}
$('clip').addEventListener('click', () => { if (T && !T.ended) $('clip').play(); });

function warn() {
  T.early++;
  const v = $('clip');
  v.pause();
  $('warning').hidden = false;
  setState('warning');
  setTimeout(() => { $('warning').hidden = true; play(false); }, 2000);
}

async function rate(rating, ev) {
  const rt = ev.timeStamp - T.end; // reaction time from clip end (same clock)
  S.busy = true;
  setState('submitting');
  const body = { trial: T.t.trial, rating, request_id: T.requestId, rt_ms: Math.max(0, rt),
                 clip_ms: T.clipMs, replays: T.replays, early_presses: T.early, clock: T.clock };
  const r = await postReliably('/api/rate', body);
  S.busy = false;
  forget(T.t.trial);
  if (r.status !== 200) { T = null; refresh(); return; }
  S.bonus = r.body.bonus;
  $('bonus').textContent = S.bonus;
  const phaseBefore = S.state.phase;
  if (phaseBefore === 'rating') { S.sinceBreak++; S.state.rated++; }
  S.state.done_in_phase++;
  if (r.body.feedback) {
    const f = r.body.feedback;
    const names = { 1: '1 — unclean', 2: '2 — moderately clean', 3: '3 — very clean' };
    $('fb-title').textContent = (f.correct ? 'Correct: ' : 'Expected answer: ') + names[f.expected];
    $('fb-text').textContent = f.explanation || '';
    $('feedback').hidden = false;
    setState('feedback');
    T = null;
    S.pendingPhase = r.body.phase;
    return;
  }
  T = null;
  if (r.body.phase !== phaseBefore) { S.sinceBreak = 0; refresh(); } else nextTrial();
}

function closeFeedback() {
  $('feedback').hidden = true;
  if (S.pendingPhase !== S.state.phase) refresh(); else nextTrial();
}
$('fb-next').addEventListener('click', closeFeedback);

document.addEventListener('keydown', (ev) => {
  const st = document.body.dataset.state;
  if (st === 'feedback' && ev.key === 'Enter') { ev.preventDefault(); closeFeedback(); return; }
  if (st === 'instructions' && ev.key === 'Enter') { ev.preventDefault(); $('start').click(); return; }
  if (!T || S.busy || ev.repeat) return;
  const k = ev.key;
  if (k !== '1' && k !== '2' && k !== '3' && k !== ' ') return;
  ev.preventDefault();
  if (st === 'warning') return;
  if (!T.ended) { warn(); return; }         // before the clip has ended: nothing recorded
  if (k === ' ') { play(false); return; }   // replay as often as wanted
  rate(+k, ev);
});

$('start').addEventListener('click', async () => {
  $('start').disabled = true;
  const r = await postReliably('/api/begin', {});
  $('start').disabled = false;
  if (r.status === 200) { S.state = r.body; route(); }
});
$('resume').addEventListener('click', () => nextTrial());

async function boot() {
  if (location.hash.includes('t=')) await login();
  await refresh();
}
window.addEventListener('hashchange', () => { if (location.hash.includes('t=')) boot(); });
boot();

// avmit study dashboard: the status document (GET /api/admin/status) as tables.
'use strict';
const $ = (id) => document.getElementById(id);
const fmt = (x, d = 3) => (x === null || x === undefined ? '—' : typeof x === 'number' && !Number.isInteger(x) ? x.toFixed(d) : String(x));

function table(rows, cols) {
  const t = document.createElement('table');
  const h = t.insertRow();
  for (const [name] of cols) { const th = document.createElement('th'); th.textContent = name; h.appendChild(th); }
  for (const r of rows) {
    const tr = t.insertRow();
    for (const [, get] of cols) tr.insertCell().textContent = fmt(get(r));
  }
  return t;
}
function put(id, el) { const e = $(id); e.replaceChildren(el); }

async function load() {
  const r = await fetch('/api/admin/status', { credentials: 'same-origin' });
  if (r.status !== 200) { $('err').textContent = 'Open the dashboard with the experimenter link.'; document.body.dataset.state = 'login'; return; }
  const s = await r.json();
  const st = s.study, p = s.progress;
  $('summary').textContent = `${p.videos_complete} of ${st.videos} videos have ${st.raters_per_video} ratings ` +
    `(${p.videos_started} started, ${p.ratings} ratings). Screening pass mark ${st.pass_mark} of ${st.screening_clips}; ` +
    `${st.ground_truth_clips} hidden ground-truth clips; headphone check ${st.headphone_check ? 'on' : 'off'}.`;
  const a = s.agreement;
  put('agreement', table([a], [["Fleiss' kappa", (x) => x.fleiss_kappa], ['videos', (x) => x.fleiss_kappa_videos],
    ["Krippendorff's alpha (ordinal)", (x) => x.krippendorff_alpha_ordinal], ['(nominal)', (x) => x.krippendorff_alpha_nominal],
    ['videos', (x) => x.alpha_videos]]));
  put('raters', table(s.raters, [['rater', (x) => x.name], ['phase', (x) => x.phase], ['ratings', (x) => x.ratings],
    ['GT accuracy', (x) => x.gt_accuracy], ['GT', (x) => `${x.gt_correct}/${x.gt_rated}`],
    ['screening', (x) => x.screening ? `${x.screening.correct}/${x.screening.total}${x.screening.passed ? ' pass' : ' fail'}` : null],
    ['headphones', (x) => x.headphones ? `${x.headphones.huggins_correct}+${x.headphones.antiphase_correct}${x.headphones.passed ? ' pass' : ' fail'}` : null],
    ['early presses', (x) => x.attention.early_presses], ['replays/trial', (x) => x.attention.replays_per_trial],
    ['median RT ms', (x) => x.attention.rt_median_ms], ['RT outliers', (x) => x.attention.rt_outliers],
    ['held', (x) => x.leases_held]]));
  put('classes', table(s.classes, [['class', (x) => x.label], ['videos', (x) => x.videos], ['complete', (x) => x.complete],
    ['started', (x) => x.started], ['ratings', (x) => x.ratings]]));
  put('outliers', table(s.rt_outliers, [['rater', (x) => x.rater], ['clip', (x) => x.filename], ['RT ms', (x) => x.rt_ms],
    ['modified z', (x) => x.modified_z]]));
  document.body.dataset.state = 'ready';
}

(async () => {
  const m = /[#&]t=([A-Za-z0-9.]+)/.exec(location.hash);
  if (m) {
    history.replaceState(null, '', location.pathname);
    await fetch('/api/login', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: m[1] }) });
  }
  await load();
  setInterval(load, 5000);
})();

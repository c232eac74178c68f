// annotate_browser.js — the rating app in a real browser (issue 15 items 8, 9):
// playwright-core drives Debian's /usr/bin/chromium headless against `avmit annotate serve`.
// The rater logs in with their link, reads the instructions, presses a key during the first
// clip (full-screen warning, nothing recorded), replays with space, completes training (the
// expected answer and reasoning shown) and screening, rates clips by key presses with real
// playback, takes a break, and the experimenter opens the dashboard. Screenshots of every
// screen go to $SHOTS (docs/annotate/ when the runner is asked to update them).
// Env: BASE, HP_BASE (servers), RATER, HP_RATER, ADMIN (tokens), SHOTS (folder).
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');

const env = (k) => { if (!process.env[k]) throw new Error('missing env ' + k); return process.env[k]; };
const BASE = env('BASE'), HP_BASE = env('HP_BASE'), SHOTS = env('SHOTS');
let failed = 0;
const ok = (cond, what) => { console.log((cond ? 'ok: ' : 'FAIL: ') + what); if (!cond) failed = 1; };

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu',
           '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--mute-audio'],
  });
  const ctx = await browser.newContext({ viewport: { width: 900, height: 560 } });
  const page = await ctx.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const shot = async (name) => page.screenshot({ path: path.join(SHOTS, name + '.png') });
  const state = () => page.evaluate(() => document.body.dataset.state);
  const waitState = async (states, timeout = 20000) => {
    const list = Array.isArray(states) ? states : [states];
    await page.waitForFunction((l) => l.includes(document.body.dataset.state), list, { timeout });
    return state();
  };

  // login page without a link
  await page.goto(BASE + '/');
  await waitState('login');
  await shot('login');
  ok(true, 'without a link the login screen is shown');

  // the personal link: #t=<token> (a fragment: never sent to the server or its logs)
  await page.goto(BASE + '/#t=' + env('RATER'));
  await waitState('instructions');
  ok(!(await page.evaluate(() => location.hash)), 'the token is removed from the address bar');
  const cookies = await ctx.cookies();
  const sc = cookies.find((c) => c.name === 'avmit_session');
  ok(sc && sc.httpOnly && sc.sameSite === 'Strict', 'session cookie is HttpOnly SameSite=Strict');
  ok(!(await page.evaluate(() => document.cookie.includes('avmit_session'))), 'scripts cannot read the session cookie');
  await shot('instructions');
  await page.click('#start');

  // ---- training: first clip with an early press and a replay
  await waitState('playing');
  ok((await page.textContent('#phase-tag')).startsWith('Training 1 of 4'), 'training clip 1 of 4');
  ok((await page.evaluate(() => document.getElementById('clip').src)).startsWith('blob:'),
     'the clip plays from a preloaded blob (fetched whole before it is shown)');
  ok(await page.evaluate(() => {
    const v = document.getElementById('clip').getBoundingClientRect();
    return Math.round(v.left) === 0 && Math.round(v.bottom) === window.innerHeight;
  }), 'the clip sits at the bottom-left corner');
  await page.waitForTimeout(700);
  await shot('trial');
  await page.keyboard.press('2'); // before the clip has ended
  await waitState('warning', 3000);
  ok(await page.isVisible('#warning'), 'an early key press shows the full-screen warning');
  await shot('warning');
  await waitState('playing', 5000); // the clip plays again
  await waitState('respond', 10000);
  await page.keyboard.press(' '); // replay with space
  ok((await state()) === 'playing', 'space replays the clip');
  await waitState('respond', 10000);
  await page.keyboard.press('3');
  await waitState('feedback');
  ok((await page.textContent('#fb-title')).includes('3'), 'training feedback names the expected answer');
  ok((await page.textContent('#fb-text')).length > 10, 'training feedback gives the reasoning');
  await shot('training_feedback');
  await page.keyboard.press('Enter');

  // the rest of training, then screening (expected 3 everywhere in screening)
  let n = 1;
  for (;;) {
    const s = await waitState(['respond', 'feedback', 'playing', 'done', 'failed', 'break'], 20000);
    if (s === 'playing') { await waitState(['respond'], 10000); continue; }
    if (s === 'feedback') { await page.keyboard.press('Enter'); await page.waitForTimeout(100); continue; }
    if (s !== 'respond') break;
    const tag = await page.textContent('#phase-tag');
    if (tag.startsWith('Screening') && n === 4) {
      await shot('screening');
    }
    if (!tag) break; // rating phase reached
    await page.keyboard.press('3');
    n++;
    await page.waitForFunction(() => document.body.dataset.state !== 'respond', null, { timeout: 5000 });
  }
  ok(n === 8, `8 training + screening clips answered (${n})`);

  // ---- rating phase: label at the top, bonus bottom-right, breaks every 3
  let rated = 0, breaks = 0;
  for (;;) {
    const s = await waitState(['respond', 'playing', 'break', 'done', 'failed'], 20000);
    if (s === 'playing') {
      if (rated === 1) await shot('rating');
      await waitState(['respond'], 10000);
      continue;
    }
    if (s === 'break') {
      breaks++;
      if (breaks === 1) await shot('break');
      await page.click('#resume');
      await page.waitForFunction(() => document.body.dataset.state !== 'break', null, { timeout: 5000 });
      continue;
    }
    if (s !== 'respond') break;
    await page.keyboard.press(rated % 3 === 2 ? '2' : '3'); // the hidden ground-truth clips (expected 3) come 4th and 8th
    rated++;
    await page.waitForFunction(() => document.body.dataset.state !== 'respond', null, { timeout: 5000 });
  }
  ok((await state()) === 'done', 'the queue ends with the thank-you screen');
  ok(rated >= 5, `${rated} clips rated in the rating phase`);
  ok(breaks >= 1, 'a break was offered');
  await shot('done');
  const bonus = +(await page.textContent('#bonus'));
  ok(bonus >= 1, `the bonus counter shows ground-truth matches (${bonus})`);

  // resuming later: a new page with the same session continues where the rater left off
  const page2 = await ctx.newPage();
  await page2.goto(BASE + '/');
  await page2.waitForFunction(() => ['done', 'playing', 'respond'].includes(document.body.dataset.state));
  ok(true, 'reopening the page resumes (state ' + (await page2.evaluate(() => document.body.dataset.state)) + ')');
  await page2.close();

  // ---- headphone check (a second study with --headphone-check)
  const ctx2 = await browser.newContext({ viewport: { width: 900, height: 560 } });
  const hp = await ctx2.newPage();
  await hp.goto(HP_BASE + '/#t=' + env('HP_RATER'));
  await hp.waitForFunction(() => document.body.dataset.state === 'instructions');
  ok(await hp.isVisible('#hp-note'), 'the instructions announce the sound check');
  await hp.click('#start');
  await hp.waitForFunction(() => document.body.dataset.state === 'headphones');
  await hp.click('#hp-play');
  await hp.waitForFunction(() => !document.querySelector('[data-hp="1"]').disabled, null, { timeout: 15000 });
  ok(true, 'the generated stimulus plays to its end, then the answer buttons open');
  await hp.screenshot({ path: path.join(SHOTS, 'headphones.png') });
  await ctx2.close();

  // ---- the experimenter's dashboard
  const ctx3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const adm = await ctx3.newPage();
  await adm.goto(BASE + '/admin#t=' + env('ADMIN'));
  await adm.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 10000 });
  const text = await adm.textContent('body');
  ok(text.includes("Fleiss' kappa") && text.includes('browser-rater'), 'the dashboard lists agreement and raters');
  await adm.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
  await ctx3.close();

  ok(consoleErrors.length === 0, 'no page errors (' + consoleErrors.join('; ') + ')');
  await browser.close();
}

main().then(() => process.exit(failed), (e) => { console.log('FAIL: ' + (e && e.stack || e)); process.exit(1); });

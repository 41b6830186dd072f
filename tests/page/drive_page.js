// Drive the HR partner's page (hme narratives serve) in headless Chromium as an HR partner would.
// Usage: NODE_PATH=tests/a11y/node_modules node drive_page.js PLAN.json
// PLAN: {url, query, unit, texts: {summary, keep, ...}, actions: [{text, owner, due, done}],
//        concurrent: "line another editor appends", shots: "folder for screenshots"}
// Prints one JSON object: what the page showed at each step, timings and axe violations.
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const out = { steps: [], violations: {} };
const t0 = Date.now();
const step = (name, extra = {}) => out.steps.push({ name, ms: Date.now() - t0, ...extra });

async function shot(page, name) {
  if (plan.shots) await page.screenshot({ path: path.join(plan.shots, name), fullPage: true });
}

async function axe(page, name) {
  await page.addScriptTag({ content: AXE });
  out.violations[name] = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                    target: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
  });
}

async function status(page, kind, timeout = 30000) {
  await page.waitForSelector(`.hme-status .hme-page-${kind}`, { timeout });
  return page.$eval('.hme-status', el => el.innerText.trim());
}

async function typeInto(page, selector, text) {
  await page.click(selector, { clickCount: 3 });
  await page.keyboard.down('Control'); await page.keyboard.press('a'); await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  // Enter in a textarea starts a new line; type each line, then Enter
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]) await page.type(selector, lines[i]);
    if (i < lines.length - 1) await page.keyboard.press('Enter');
  }
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
           '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: plan.height || 900 });
    await page.goto(plan.url, { waitUntil: 'load', timeout: 90000 });
    await page.waitForSelector('.hme-tree select', { timeout: 90000 });
    step('page shown');
    await shot(page, '1-page.png');
    await axe(page, 'start');

    // find the unit by name, pick it in the tree
    await page.type('.hme-search input', plan.query);
    await page.waitForFunction(n => document.querySelectorAll('.hme-tree option').length <= n,
                               { timeout: 30000 }, plan.max_found || 5);
    out.found = await page.$$eval('.hme-tree option', os => os.map(o => o.textContent.trim()));
    // ipywidgets' options carry their labels as values: pick the one with the unit's code
    const option = await page.$$eval('.hme-tree option', (os, code) =>
      (os.find(o => o.textContent.trim().endsWith(`(${code})`)) || {}).value, plan.unit);
    await page.select('.hme-tree select', option);
    await page.waitForSelector('.hme-text-keep textarea', { visible: true, timeout: 60000 });
    await page.waitForSelector('#unit-heading', { timeout: 30000 });
    out.numbers = await page.$eval('.hme-numbers', el => el.innerText);
    step('unit opened');
    await shot(page, '2-unit.png');

    // write: one text per question, the actions as rows
    for (const [key, text] of Object.entries(plan.texts)) {
      await typeInto(page, `.hme-text-${key} textarea`, text);
    }
    for (let i = 0; i < plan.actions.length; i++) {
      if (i > 0) {
        await page.click('.hme-add-action');
        await page.waitForFunction(k => document.querySelectorAll('.hme-action-text').length >= k,
                                   { timeout: 20000 }, i + 1);
      }
      const a = plan.actions[i];
      const nth = async (css) => (await page.$$(`${css} input`))[i];
      await (await nth('.hme-action-text')).type(a.text);
      if (a.owner) await (await nth('.hme-action-owner')).type(a.owner);
      if (a.due) await (await nth('.hme-action-due')).type(String(a.due));
      if (a.done) await (await nth('.hme-action-done')).click();
    }
    await new Promise(r => setTimeout(r, 800));  // the last keystrokes reach the kernel
    await page.click('.hme-save');
    out.saved = await status(page, 'ok');
    await page.waitForSelector('.hme-preview-frame iframe', { timeout: 30000 });
    out.preview = await page.$eval('.hme-preview-frame iframe', f => f.contentDocument.body.innerText);
    step('saved');
    await shot(page, '3-saved.png');
    await axe(page, 'saved');

    // someone else edits the file on disk; the page must refuse to overwrite it
    const file = out.saved.replace(/^.*? (\/\S+\.md)\.?$/s, '$1');
    out.file = file;
    // (they write their own answer under the "improve" question, in JupyterLab)
    const before = fs.readFileSync(file, 'utf8');
    const edited = before.replace(/^(## .*förbättras.*\n)/m, `$1\n${plan.concurrent}\n`);
    if (edited === before) throw new Error('no improve heading in ' + file);
    fs.writeFileSync(file, edited);
    await typeInto(page, '.hme-text-improve textarea', plan.second_improve);
    await new Promise(r => setTimeout(r, 800));
    await page.click('.hme-save');
    out.conflict_status = await status(page, 'error');
    await page.waitForSelector('.hme-conflict-disk textarea', { timeout: 20000 });
    out.conflict = {
      disk: await page.$eval('.hme-conflict-disk textarea', el => el.value),
      ours: await page.$eval('.hme-conflict-ours textarea', el => el.value),
    };
    out.after_conflict = fs.readFileSync(file, 'utf8');
    step('conflict shown');
    await shot(page, '4-conflict.png');
    await axe(page, 'conflict');

    // keep the version on disk, then render the unit's and its parent's report
    await page.click('.hme-take-disk');
    await status(page, 'note');
    const tRender = Date.now();
    await page.click('.hme-render');
    out.render_status = await status(page, 'ok', 300000);
    out.render_ms = Date.now() - tRender;
    out.links = await page.$$eval('.hme-links a', as => as.map(a => ({ href: a.href, text: a.textContent })));
    step('rendered');
    await shot(page, '5-rendered.png');
    await axe(page, 'rendered');
    await page.setViewport({ width: 390, height: 900 });  // a phone: the columns stack
    await axe(page, 'phone');
    await shot(page, '5b-phone.png');
    const html = out.links.find(l => /report(\.[a-z]+)?\.html/.test(l.href));
    if (html) {
      const report = await browser.newPage();
      await report.setViewport({ width: 1200, height: 900 });
      const resp = await report.goto(html.href, { waitUntil: 'load', timeout: 60000 });
      out.report_status = resp.status();
      out.report_text = await report.evaluate(() => document.body.innerText);
      const analysis = await report.$('section.analysis, #analysis, .analysis');
      if (analysis) await analysis.scrollIntoView();
      if (plan.shots) await report.screenshot({ path: path.join(plan.shots, '6-report.png') });
    }
    const pdf = out.links.find(l => /\.pdf/.test(l.href));
    if (pdf) {
      out.pdf_status = await page.evaluate(async u => (await fetch(u)).status, pdf.href);
    }
    step('done');
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch(err => { console.error(err); process.stdout.write(JSON.stringify(out) + '\n'); process.exit(1); });

// Run axe-core (WCAG 2.1 A/AA rules) on local HTML files in headless Chromium.
// Usage: node axe.js FILE.html[@WIDTH] [...]; prints one JSON object {argument: [violations]}.
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

(async () => {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
           '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const results = {};
  try {
    for (const arg of process.argv.slice(2)) {
      // FILE or FILE@WIDTH (viewport width in CSS pixels, default 1200)
      const [file, width] = arg.includes('@') ? arg.split('@') : [arg, '1200'];
      const page = await browser.newPage();
      await page.setViewport({ width: +width, height: 900 });
      await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
      await page.addScriptTag({ content: AXE });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                        target: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
      });
      results[arg] = violations;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results) + '\n');
})().catch(err => { console.error(err); process.exit(1); });

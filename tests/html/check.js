// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tests/html/check.js PAGE SCREENSHOT - opens a `memtrace report --html`
 * page from file:// in Debian's chromium (playwright-core, pinned by
 * web/package-lock.json; no browser download) and prints one JSON object
 * with what it saw, for tests/integration/test_html.c to judge: console
 * errors and uncaught exceptions, every request the page made (there must
 * be none but the page itself), dialogs, the processes the tree lists, the
 * bands the map draws for every address space (clicking each), the table's
 * rows under filters, and a full-page screenshot.
 * Environment: MEMTRACE_CHROMIUM (default /usr/bin/chromium).
 */
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
	const [page_path, shot] = process.argv.slice(2);
	const url = 'file://' + path.resolve(page_path);
	const out = { errors: [], requests: [], dialogs: [] };
	const browser = await chromium.launch({
		executablePath: process.env.MEMTRACE_CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
	});
	try {
		const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
		const page = await ctx.newPage();
		page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.errors.push(m.type() + ': ' + m.text()); });
		page.on('pageerror', (e) => out.errors.push('Uncaught ' + e.message));
		page.on('request', (r) => { if (r.url() !== url) out.requests.push(r.url()); });
		page.on('dialog', (d) => { out.dialogs.push(d.message()); d.dismiss(); });
		const t0 = Date.now();
		await page.goto(url, { waitUntil: 'load' });
		await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
		out.load_ms = Date.now() - t0;
		out.scripts = await page.locator('script').count();
		out.title = await page.title();
		out.claims = await page.locator('#claims li').allTextContents();
		out.pids = (await page.locator('.proc > .row').evaluateAll((rs) => rs.map((r) => +r.dataset.pid)));
		out.tree_text = await page.locator('#tree').innerText();
		out.notes = await page.locator('#notes').innerText();
		out.edges = await page.locator('#tree .edge').allTextContents();
		out.first_as = +(await page.locator('#map').getAttribute('data-as'));
		if (shot) await page.screenshot({ path: shot, fullPage: true });
		/* every address space: click its chip, read what the map drew */
		out.as = {};
		const chips = await page.locator('#tree .as').evaluateAll((cs) => [...new Set(cs.map((c) => c.dataset.as))]);
		for (const id of chips) {
			await page.locator('#tree .as[data-as="' + id + '"]').first().click();
			const m = page.locator('#map');
			out.as[id] = { drawn: +(await m.getAttribute('data-drawn')), live: +(await m.getAttribute('data-live')),
				title: await page.locator('#map-title').innerText() };
		}
		/* hover the biggest band of the first address space: the tooltip has its maps line */
		await page.locator('#tree .as[data-as="' + out.first_as + '"]').first().click();
		const box = await page.locator('#map').boundingBox();
		let tip = '';
		for (let y = 30; y < box.height - 30 && !tip; y += 6) {
			await page.mouse.move(box.x + box.width - 40, box.y + y);
			if (await page.locator('#tip').isVisible()) tip = await page.locator('#tip').innerText();
		}
		out.tip = tip;
		/* the table: all rows, then one type only, then one pid */
		const rows = () => page.locator('#events tbody tr').count();
		out.rows_all = await rows();
		const types = await page.locator('.f-type').evaluateAll((cs) => cs.map((c) => c.value));
		for (const t of types) if (t !== 'mmap') await page.locator('.f-type[value="' + t + '"]').uncheck();
		out.rows_mmap = types.includes('mmap') ? await rows() : 0;
		await page.locator('#f-clear').click();
		out.rows_pid = {};
		for (const pid of out.pids) {
			await page.locator('#f-pid').selectOption(String(pid));
			out.rows_pid[pid] = await rows();
		}
		await page.locator('#f-clear').click();
		await page.locator('#f-lo').fill('0x1');
		await page.locator('#f-hi').fill('0x2');
		out.rows_nowhere = await rows();
		await page.locator('#f-clear').click();
		/* every process's counters chart: the highest RSS and RSS peak it drew */
		out.rss = {};
		const rowsP = page.locator('.proc > .row');
		for (let k = 0; k < await rowsP.count(); k++) {
			const r = rowsP.nth(k);
			await r.click();
			out.rss[await r.getAttribute('data-pid')] = {
				rss: +(await page.locator('#counters').getAttribute('data-rss') || -1),
				peak: +(await page.locator('#counters').getAttribute('data-rss-peak') || -1) };
		}
		await rowsP.first().click();
		/* the counters chart drew (uPlot makes a canvas) */
		out.counters = await page.locator('#counters canvas').count();
	} finally {
		await browser.close();
	}
	process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stderr.write('check.js: ' + (e && e.stack || e) + '\n'); process.exit(1); });

/* memtrace report --html: the page's script. It reads the model (the JSON
 * block written by user/report/html.c) and draws four views: the process
 * tree, the address-space map over time (canvas), the counters (uPlot) and
 * the events table. Trace strings only ever go through textContent. */
'use strict';
(function () {
const M = JSON.parse(document.getElementById('model').textContent);
const R = M.report;
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined && text !== null) e.textContent = String(text);
	return e;
}
function ms(ns) { return (ns / 1e6).toFixed(3); }
function bytes(n) {
	const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
	return (i && n < 10 && n !== Math.floor(n) ? n.toFixed(1) : Math.round(n)) + ' ' + u[i];
}
function hex(n) { return n.toString(16).padStart(12, '0'); }
function addr(s) { return typeof s === 'string' ? parseInt(s, 16) : NaN; }
function num(n) { return Number(n).toLocaleString('en-US'); }

/* ---- the model ---- */
const F = M.band_fields;
const bands = M.bands.map((b) => {
	const o = {};
	F.forEach((f, i) => { o[f] = b[i]; });
	o.lo = addr(o.start); o.hi = addr(o.end);
	return o;
});
const procs = R.processes;
const spaces = new Map(R.address_spaces.map((s) => [s.as, s]));
const events = M.events;
const traceEnd = R.trace.duration_ns || 0;
const threadsOf = new Map();
for (const t of M.threads) {
	if (!threadsOf.has(t[0])) threadsOf.set(t[0], []);
	threadsOf.get(t[0]).push({ tid: t[1], start: t[2], end: t[3] });
}
/* the stack mapping of each thread, by (as, tid) */
const stackOf = new Map();
for (const b of bands)
	if (b.stack_of && !b.guard) stackOf.set(b.as + ':' + b.stack_of, b);

/* The address range an event touched, [lo, hi) (and a second for mremap). */
function ranges(e) {
	const r = [];
	const a = addr(e.addr);
	if (e.event === 'mmap' || e.event === 'munmap' || e.event === 'mprotect') {
		if (!isNaN(a)) r.push([a, a + Math.max(e.len, 1)]);
	} else if (e.event === 'mremap') {
		const o = addr(e.old_addr);
		if (!isNaN(o)) r.push([o, o + Math.max(e.old_len, 1)]);
		if (!isNaN(a)) r.push([a, a + Math.max(e.new_len, 1)]);
	} else if (e.event === 'brk' && !isNaN(a)) {
		r.push([a - 1, a + 1]);
	} else if (e.event === 'faults' || e.event === 'vma') {
		const s = addr(e.start), t = addr(e.end);
		if (!isNaN(s) && !isNaN(t)) r.push([s, Math.max(t, s + 1)]);
	} else if (e.event === 'fault' && !isNaN(a)) {
		r.push([a, a + 1]);
	}
	return r;
}
for (const e of events) e._r = ranges(e);
/* file names: the trace has fds only, but a faults record (issue 11) names its region's file */
{
	const named = events.filter((e) => e.event === 'faults' && e.region && e.kind === 'file' && e._r.length).slice(0, 20000);
	for (const b of bands) {
		if (b.kind !== 'file' || b.name) continue;
		const e = named.find((f) => f.as === b.as && f._r[0][0] < b.hi && f._r[0][1] > b.lo);
		if (e) b.name = e.region;
	}
}

/* ---- header ---- */
function header() {
	const t = R.trace;
	document.title = 'memtrace: ' + (t.command || 'trace');
	$('title').textContent = 'memtrace report: ' + (t.command || '?');
	$('meta').textContent = 'kernel ' + (t.kernel || '?') + ' \u00b7 ' + num(t.events) +
		' events over ' + ms(t.duration_ns) + ' ms \u00b7 ' + num(t.lost) + ' lost \u00b7 ' +
		procs.length + (procs.length === 1 ? ' process' : ' processes') + ', ' +
		spaces.size + (spaces.size === 1 ? ' address space' : ' address spaces') +
		(t.failed_calls ? ' \u00b7 ' + num(t.failed_calls) + ' failed calls' : '');
	/* many processes can make many sentences: the first 6, the rest on demand */
	R.claims.forEach((c, i) => {
		const li = el('li', i >= 6 ? 'more' : null, c);
		if (i >= 6) li.hidden = true;
		$('claims').appendChild(li);
	});
	if (R.claims.length > 6) {
		const b = el('button', null, 'show ' + (R.claims.length - 6) + ' more');
		b.type = 'button';
		b.addEventListener('click', () => { for (const li of document.querySelectorAll('#claims li.more')) li.hidden = false; b.remove(); });
		$('claims-box').appendChild(b);
	}
	if (!R.claims.length) $('claims').appendChild(el('li', null, 'nothing this report knows how to put in a sentence.'));
	for (const w of R.warnings) {
		if (/^the kernel-made map/.test(w))
			$('notes').appendChild(el('li', null, 'The map shows what the program mapped itself: the kernel\u2019s own map at exec (the binary, the loader, [stack], [vdso]) is not in the trace.'));
		else
			$('warnings').appendChild(el('li', null, 'Warning: ' + w));
	}
	const s = M.sampling;
	if (s.events > s.head + s.sample)
		$('notes').appendChild(el('li', null, 'The events table holds the first ' + num(s.head) +
			' events and a uniform random sample of ' + num(s.sample) + ' of the ' +
			num(s.events - s.head) + ' later ones; the tree, the map and the counters are computed from all ' +
			num(s.events) + '.'));
	if (s.bands_before_merge)
		$('notes').appendChild(el('li', null, 'The map merges pieces of mappings at the same address with the same permissions that follow each other within ' +
			ms(s.merge_gap_ns) + ' ms: ' + num(s.bands_before_merge) + ' pieces drawn as ' +
			num(bands.length) + ' bands (hover says how many a band holds)' +
			(s.bands_dropped ? '; the ' + num(s.bands_dropped) + ' shortest-lived pieces are not drawn' : '') + '.'));
	if (s.counters_thinned)
		$('notes').appendChild(el('li', null, 'Counters with more than ' + num(s.max_points) +
			' points are thinned: each point is the peak of its interval.'));
	if (s.regions_cut)
		$('notes').appendChild(el('li', null, 'The page holds at most ' + num(s.max_as_regions) +
			' of the report\u2019s end-of-trace regions per address space and ' + num(s.max_regions) +
			' in all: ' + num(s.regions_cut) + ' regions of ' + num(s.regions_cut_as) +
			' address spaces are left out of the embedded report (the map still draws every piece it holds; `memtrace report -f json` has them all).'));
	$('footer').textContent = 'memtrace ' + M.memtrace_version +
		' \u00b7 one self-contained file: nothing is loaded from anywhere \u00b7 every figure is explained in docs/report.md';
}

/* ---- process tree ---- */
let selProc = 0, selAs = 0;
const procRows = [];

function asChip(id, what) {
	const c = el('span', 'as', 'as ' + id);
	c.dataset.as = id;
	c.title = what || 'show the map of address space ' + id;
	c.addEventListener('click', (ev) => { ev.stopPropagation(); select(null, id); });
	return c;
}

function exitText(p) {
	if (!p.ended) return 'still running at the end';
	if (p.signal) return 'killed by signal ' + p.signal + (p.core ? ' (core dumped)' : '');
	return 'exit ' + p.code;
}

function procNode(i, kids) {
	const p = procs[i];
	const box = el('div', 'proc');
	const row = el('div', 'row');
	row.dataset.proc = i;
	row.dataset.pid = p.pid;
	const edge = R.tree.find((e) => e.to_pid === p.pid && e.relation !== 'replaces' && e.ts === p.start_ts);
	if (edge) {
		const b = el('span', 'edge ' + edge.relation, edge.relation);
		b.title = edge.relation === 'copy' ? 'fork: the child got a copy of as ' + edge.from_as + ' (same addresses, separate memory)'
			: 'the child shares as ' + edge.from_as + ' with its parent (vfork, CLONE_VM)';
		row.appendChild(b);
	}
	row.appendChild(el('b', null, 'pid ' + p.pid + ' '));
	row.appendChild(document.createTextNode(p.comm + ' '));
	row.appendChild(asChip(p.first_as));
	const nthreads = p.threads;
	row.appendChild(el('span', 'hint', ' ' + (nthreads > 1 ? nthreads + ' threads \u00b7 ' : '') + exitText(p)));
	row.addEventListener('click', () => select(i, null));
	box.appendChild(row);
	procRows.push(row);

	const sub = el('div', 'sub');
	if (edge && edge.relation === 'copy')
		sub.appendChild(el('div', 'step', 'forked at ' + ms(edge.ts) + ' ms: as ' + edge.to_as + ' starts as a copy of as ' + edge.from_as));
	if (edge && edge.relation === 'shares')
		sub.appendChild(el('div', 'step', 'created at ' + ms(edge.ts) + ' ms sharing as ' + edge.from_as + ' with pid ' + edge.from_pid));
	for (const x of p.execs) {
		const d = el('div', 'step');
		if (x.error) {
			d.textContent = 'exec ' + x.filename + ' failed (' + x.error + ') at ' + ms(x.ts) + ' ms: kept its image';
		} else if (!x.old_as) {
			/* the launcher's exec: its image is not traced, nothing is replaced on the page */
			d.appendChild(document.createTextNode('exec ' + x.filename + ' at ' + ms(x.ts) + ' ms made '));
			d.appendChild(asChip(x.as));
		} else {
			d.appendChild(el('span', 'edge replaces', 'replaces'));
			d.appendChild(document.createTextNode('exec ' + x.filename + ' at ' + ms(x.ts) + ' ms: '));
			if (x.old_as) { d.appendChild(asChip(x.old_as)); d.appendChild(document.createTextNode(' \u2192 ')); }
			d.appendChild(asChip(x.as));
		}
		sub.appendChild(d);
	}
	box.appendChild(sub);
	const ts = threadsOf.get(p.pid) || [];
	if (ts.length) {
		const t = el('div', 'threads');
		t.appendChild(el('div', 'hint', ts.length + ' more thread' + (ts.length > 1 ? 's' : '') + ', sharing its address space:'));
		for (const th of ts.slice(0, 40)) {
			const s = stackOf.get(p.as + ':' + th.tid) || stackOf.get(p.first_as + ':' + th.tid);
			t.appendChild(el('div', null, 'thread ' + th.tid + ' \u00b7 ' +
				(s ? 'stack ' + hex(s.lo) + '-' + hex(s.hi) + ' (' + bytes(s.hi - s.lo) + ')' : 'no stack mapping of its own') +
				' \u00b7 ' + (th.end ? ms(th.start) + '\u2013' + ms(th.end) + ' ms' : 'from ' + ms(th.start) + ' ms, no exit seen')));
		}
		if (ts.length > 40) t.appendChild(el('div', 'hint', '\u2026 ' + (ts.length - 40) + ' more'));
		box.appendChild(t);
	}
	if (kids.length) {
		const k = el('div', 'kids');
		for (const c of kids) k.appendChild(c);
		box.appendChild(k);
	}
	return box;
}

function tree() {
	/* parent: the latest process with pid == ppid that started before */
	const children = procs.map(() => []);
	const roots = [];
	procs.forEach((p, i) => {
		let parent = -1;
		for (let j = i - 1; j >= 0 && p.ppid; j--)
			if (procs[j].pid === p.ppid) { parent = j; break; }
		(parent >= 0 ? children[parent] : roots).push(i);
	});
	let budget = 500;
	function build(i) {
		const kids = [];
		for (const c of children[i]) if (budget-- > 0) kids.push(build(c));
		return procNode(i, kids);
	}
	for (const r of roots) if (budget-- > 0) $('tree').appendChild(build(r));
	if (budget < 0) $('tree').appendChild(el('div', 'hint', (-budget) + ' more processes not listed'));
}

/* ---- the address-space map ---- */
const KIND = {
	file: ['#4e79a7', 'file'], heap: ['#3d9a3a', 'heap'], stack: ['#f28e2b', 'thread stack'],
	anon: ['#a05eb5', 'anonymous'], shared: ['#2aa198', 'shared anonymous'], reserved: ['#8c8c8c', 'reserved (PROT_NONE)'],
};
const view = { t0: 0, t1: 1, axis: 'events', times: [], segs: [], bands: [], drag: null, H: 400, W: 800, left: 120, top: 34, bottom: 30, marks: [] };

function what(b) {
	/* issue 10: the trace's path or kernel name ([stack], [vdso], [anon:NAME], ...) */
	if (b.name && b.name[0] === '[' && !(b.kind === 'stack' && b.stack_of))
		return b.name + (b.guard ? ' guard page' : '');
	if (b.name && b.kind !== 'file')
		return b.name;
	switch (b.kind) {
	case 'file': return b.name ? b.name + (b.fd >= 0 ? ' (fd ' + b.fd + ')' : '') : 'file (fd ' + b.fd + ')';
	case 'heap': return '[heap]';
	case 'stack': return (b.stack_of ? '[stack of thread ' + b.stack_of + ']' : '[stack]') + (b.guard ? ' guard page' : '');
	case 'shared': return '[shared anonymous]';
	case 'reserved': return '[reserved]';
	default: return '[anonymous]';
	}
}
function mapsLine(b) {
	return hex(b.lo) + '-' + hex(b.hi) + ' ' + b.perms + ' ' + b.offset.toString(16).padStart(8, '0') +
		' ' + bytes(b.hi - b.lo) + '  ' + what(b) + '  <- ' + b.made_by + ' at ' + ms(b.made_ts) + ' ms by tid ' + b.made_tid;
}

/* Address axis: every start and end is a stop; a covered stretch gets height
 * by the log of its size, an empty one a fixed small break. High at the top. */
function addressAxis(bs) {
	const stops = [...new Set(bs.flatMap((b) => [b.lo, b.hi]))].sort((a, b) => a - b);
	const idx = new Map(stops.map((a, i) => [a, i]));
	const cover = new Array(stops.length).fill(0);
	for (const b of bs) { cover[idx.get(b.lo)]++; cover[idx.get(b.hi)]--; }
	const segs = [];
	let c = 0;
	for (let i = 0; i + 1 < stops.length; i++) {
		c += cover[i];
		const size = stops[i + 1] - stops[i];
		segs.push({ lo: stops[i], hi: stops[i + 1], used: c > 0, w: c > 0 ? 1 + Math.log2(size / 4096 + 1) : 0 });
	}
	const gaps = segs.filter((s) => !s.used).length;
	const used = segs.length - gaps;
	const GAP = 12;
	view.H = Math.max(320, Math.min(1400, used * 26 + gaps * GAP));
	const avail = view.H - gaps * GAP;
	const wsum = segs.reduce((a, s) => a + s.w, 0) || 1;
	let y = view.top + view.H;
	for (const s of segs) {
		const h = s.used ? Math.max(3, avail * s.w / wsum) : GAP;
		s.y1 = y; s.y0 = y - h; y -= h;
	}
	/* scale back if the minimum heights overflowed */
	const k = view.H / ((view.top + view.H) - y);
	for (const s of segs) { s.y1 = view.top + view.H - (view.top + view.H - s.y1) * k; s.y0 = view.top + view.H - (view.top + view.H - s.y0) * k; }
	view.segs = segs;
}
function yOf(a) {
	const s = view.segs;
	let lo = 0, hi = s.length - 1;
	if (!s.length) return view.top + view.H;
	if (a >= s[hi].hi) return s[hi].y0;
	while (lo < hi) { const m = (lo + hi) >> 1; if (s[m].hi <= a) lo = m + 1; else hi = m; }
	const g = s[lo];
	return g.y1 - (g.y1 - g.y0) * Math.max(0, Math.min(1, (a - g.lo) / (g.hi - g.lo)));
}
/* Time axis: real, or evenly spaced by the moments anything changed. */
function xOf(t) {
	const x0 = view.left, w = view.W - view.left - 16;
	let f;
	if (view.axis === 'real') {
		f = (t - view.t0) / (view.t1 - view.t0 || 1);
	} else {
		const T = view.times;
		const i0 = rank(view.t0), i1 = rank(view.t1);
		f = (rank(t) - i0) / (i1 - i0 || 1);
		function rank(v) {
			let lo = 0, hi = T.length - 1;
			if (v <= T[0]) return 0;
			if (v >= T[hi]) return hi;
			while (lo < hi) { const m = (lo + hi) >> 1; if (T[m] < v) lo = m + 1; else hi = m; }
			return lo - 1 + (v - T[lo - 1]) / (T[lo] - T[lo - 1]);
		}
	}
	return x0 + f * w;
}
function tOf(x) {
	/* inverse of xOf by bisection: works for both axes */
	let lo = view.t0, hi = view.t1;
	for (let k = 0; k < 60; k++) { const m = (lo + hi) / 2; if (xOf(m) < x) lo = m; else hi = m; }
	return (lo + hi) / 2;
}

function mapSetup() {
	const s = spaces.get(selAs);
	view.bands = bands.filter((b) => b.as === selAs);
	addressAxis(view.bands);
	const t0 = s ? s.start_ts : 0;
	const t1 = Math.max(s && s.ended_ts ? s.ended_ts : traceEnd, ...view.bands.map((b) => b.until), t0 + 1);
	view.full = [t0, t1];
	[view.t0, view.t1] = view.full;
	view.marks = events.filter((e) => (e.as === selAs || e.child_as === selAs || e.old_as === selAs) && !e.error &&
		(e.event === 'fork' || e.event === 'exec' || e.event === 'exit')).slice(0, 300).map((e) => ({ ts: e.ts, label:
		e.event === 'fork' ? (e.thread ? '+thread ' + e.child_tid : (e.as === selAs ? 'fork → pid ' + e.child_pid : 'forked from pid ' + e.pid))
		: e.event === 'exec' ? (e.as === selAs ? 'exec' : 'exec \u2192 as ' + e.as) : (e.thread ? 'end ' + e.tid : 'exit pid ' + e.pid) }));
	view.times = [...new Set([t0, t1, ...view.bands.flatMap((b) => [b.since, b.until]), ...view.marks.map((m) => m.ts)])].sort((a, b) => a - b);
	const owners = procs.filter((p) => p.first_as === selAs || p.execs.some((x) => x.as === selAs && !x.error));
	$('map-title').textContent = 'Address space ' + selAs + ' over time' +
		(owners.length ? ' \u2014 ' + owners.map((p) => 'pid ' + p.pid + ' ' + p.comm).join(', ') : '');
	const live = view.bands.filter((b) => b.live).length;
	let origin = '';
	if (s && s.fork_copy_of) origin = 'It started as a fork copy of as ' + s.fork_copy_of + ' (the bands from its first moment are that copy). ';
	if (s && s.by_exec) origin = 'exec made it' + (s.exec_replaced ? ', replacing as ' + s.exec_replaced : '') + '. ';
	const nthr = s ? s.threads : 0;
	$('map-hint').textContent = origin + (nthr ? (nthr + 1) + ' threads share it. ' : '') +
		view.bands.length + ' bands, ' + live + ' mappings at the end' + (s && s.ended ? ' (when it ended at ' + ms(s.ended_ts) + ' ms)' : '') +
		'. Up: higher addresses, compressed (empty stretches become the thin breaks); across: time. Hover a band for its maps line and the events that touched it, click it to filter the events, drag to zoom in time.';
	mapDraw();
}

function hatch(ctx, color) {
	const c = document.createElement('canvas');
	c.width = c.height = 8;
	const g = c.getContext('2d');
	g.fillStyle = '#f1f1f1'; g.fillRect(0, 0, 8, 8);
	g.strokeStyle = color; g.lineWidth = 1.5;
	g.beginPath(); g.moveTo(0, 8); g.lineTo(8, 0); g.stroke();
	return ctx.createPattern(c, 'repeat');
}

function mapDraw() {
	const cv = $('map');
	const dpr = window.devicePixelRatio || 1;
	view.W = cv.parentElement.clientWidth || 900;
	const Htot = view.top + view.H + view.bottom;
	cv.width = view.W * dpr; cv.height = Htot * dpr;
	cv.style.height = Htot + 'px';
	const ctx = cv.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.clearRect(0, 0, view.W, Htot);
	ctx.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
	const xl = view.left, xr = view.W - 16;
	/* breaks and address labels */
	let lastY = 1e9;
	ctx.textBaseline = 'middle';
	for (const s of view.segs) {
		if (!s.used) {
			ctx.fillStyle = '#f4f5f7';
			ctx.fillRect(xl, s.y0, xr - xl, s.y1 - s.y0);
			ctx.strokeStyle = '#c9ced6';
			ctx.beginPath();
			for (let x = xl; x < xr; x += 12) { ctx.moveTo(x, s.y1 - 3); ctx.lineTo(x + 6, s.y0 + 3); ctx.lineTo(x + 12, s.y1 - 3); }
			ctx.stroke();
			continue;
		}
		for (const [a, y] of [[s.lo, s.y1]]) {
			if (lastY - y >= 12) { ctx.fillStyle = '#5d6670'; ctx.fillText(hex(a), 4, y - 1); lastY = y; }
		}
	}
	if (view.segs.length) {
		const top = view.segs[view.segs.length - 1];
		if (lastY - top.y0 >= 12) { ctx.fillStyle = '#5d6670'; ctx.fillText(hex(top.hi), 4, top.y0 + 1); }
	}
	/* bands */
	ctx.save();
	ctx.beginPath(); ctx.rect(xl, 0, xr - xl, Htot); ctx.clip();
	const pats = {};
	const bandLabels = [];
	let drawn = 0;
	for (const b of view.bands) {
		b._box = null;
		if (b.until < view.t0 || b.since > view.t1) continue;
		drawn++;
		const x0 = xOf(Math.max(b.since, view.t0)), x1 = xOf(Math.min(b.until, view.t1));
		const y0 = yOf(b.hi), y1 = yOf(b.lo);
		const col = KIND[b.kind] ? KIND[b.kind][0] : '#888';
		if (b.perms.startsWith('---')) {
			ctx.fillStyle = pats[col] || (pats[col] = hatch(ctx, col));
		} else {
			ctx.globalAlpha = b.perms[1] === 'w' ? 0.85 : 0.5;
			ctx.fillStyle = col;
		}
		const w = Math.max(2, x1 - x0);
		ctx.fillRect(x0, y0, w, Math.max(1, y1 - y0));
		ctx.globalAlpha = 1;
		if (w > 3 && y1 - y0 > 3) {
			/* a white outline: pieces side by side (a protection change) stay apart */
			ctx.strokeStyle = '#ffffff';
			ctx.lineWidth = 1;
			ctx.strokeRect(x0 + 0.5, y0 + 0.5, w - 1, y1 - y0 - 1);
		}
		if (b.perms[2] === 'x' && y1 - y0 > 4) { ctx.fillStyle = 'rgba(0,0,0,.35)'; ctx.fillRect(x0, y0, w, 2); }
		b._box = [x0, y0, w, Math.max(1, y1 - y0)];
		if (w > 90 && y1 - y0 >= 12) {
			const label = what(b) + ' ' + b.perms + ' ' + bytes(b.hi - b.lo) + (b.n > 1 ? ' \u00d7' + b.n : '');
			/* drawn after the event lines, on a patch of the band's colour: no line runs through it */
			bandLabels.push({ text: label.length * 6.6 < w - 6 ? label : label.slice(0, Math.max(0, Math.floor((w - 10) / 6.6))) + '\u2026',
				x: x0 + 4, y: (y0 + y1) / 2, col, none: b.perms.startsWith('---'), ro: b.perms[1] !== 'w' });
		}
	}
	/* what the tasks of this address space did: thin lines with a short label */
	ctx.setLineDash([3, 3]);
	const tb = ctx.textBaseline;
	ctx.textBaseline = 'top';
	let lastL = -1e9;
	const right = xOf(view.t1);
	for (const e of view.marks) {
		if (e.ts < view.t0 || e.ts > view.t1) continue;
		const x = Math.round(xOf(e.ts)) + 0.5;
		ctx.strokeStyle = 'rgba(29,35,42,.35)';
		ctx.beginPath(); ctx.moveTo(x, view.top); ctx.lineTo(x, view.top + view.H); ctx.stroke();
		/* the label right of its line, or left of it near the plot's right edge */
		const lw = ctx.measureText(e.label).width;
		const lx = x + 2 + lw > right ? x - 2 - lw : x + 2;
		if (lx > lastL) {
			ctx.fillStyle = '#1d232a';
			ctx.fillText(e.label, lx, view.top - 13);
			lastL = lx + lw + 2;
		}
	}
	ctx.setLineDash([]);
	ctx.textBaseline = tb;
	for (const l of bandLabels) {
		const lw = ctx.measureText(l.text).width;
		ctx.fillStyle = l.none ? '#ffffff' : l.col;
		ctx.globalAlpha = l.none ? 0.85 : l.ro ? 0.5 : 0.85;
		ctx.fillRect(l.x - 2, l.y - 7, lw + 4, 14);
		ctx.globalAlpha = 1;
		ctx.fillStyle = l.none ? '#333' : '#fff';
		ctx.fillText(l.text, l.x, l.y);
	}
	ctx.restore();
	/* for the browser test: what the map shows */
	cv.dataset.as = selAs;
	cv.dataset.drawn = drawn;
	cv.dataset.live = view.bands.filter((b) => b.live).length;
	/* time axis */
	ctx.strokeStyle = '#c9ced6'; ctx.fillStyle = '#5d6670'; ctx.textBaseline = 'top';
	const yb = view.top + view.H + 4;
	ctx.beginPath(); ctx.moveTo(xl, yb); ctx.lineTo(xr, yb); ctx.stroke();
	let lastX = -1e9;
	const ticks = view.axis === 'real' ? Array.from({ length: 9 }, (_, i) => view.t0 + (view.t1 - view.t0) * i / 8)
		: view.times.filter((t) => t >= view.t0 && t <= view.t1);
	for (const t of ticks) {
		const x = xOf(t);
		const label = ms(t);
		const lx = Math.min(x - 3, xr - label.length * 6.7);
		if (lx < lastX + 10) continue;
		ctx.beginPath(); ctx.moveTo(x, yb); ctx.lineTo(x, yb + 4); ctx.stroke();
		ctx.fillText(label, lx, yb + 6);
		lastX = lx + label.length * 6.7;
	}
	ctx.textBaseline = 'top';
	ctx.fillText(view.axis === 'real' ? 'time (ms) \u2192' : 'time (ms) \u2192, evenly spaced by change', 4, 2);
	if (view.drag) {
		ctx.fillStyle = 'rgba(30,100,200,.15)';
		const a = Math.min(view.drag[0], view.drag[1]), b = Math.max(view.drag[0], view.drag[1]);
		ctx.fillRect(a, view.top, b - a, view.H);
	}
	if (!view.bands.length) {
		ctx.fillStyle = '#5d6670'; ctx.textBaseline = 'middle';
		ctx.fillText('No mapping of this address space is in the trace.', xl + 10, view.top + 40);
	}
}

function bandAt(x, y) {
	for (let i = view.bands.length - 1; i >= 0; i--) {
		const b = view.bands[i], q = b._box;
		if (q && x >= q[0] && x <= q[0] + q[2] && y >= q[1] - 1 && y <= q[1] + q[3] + 1) return b;
	}
	return null;
}
function touching(b) {
	return events.filter((e) => e.as === b.as && !e.error && e._r.some(([lo, hi]) => lo < b.hi && hi > b.lo));
}
function evLine(e) {
	return ms(e.ts) + ' ms  ' + e.event + ' ' + details(e, true) + '  (tid ' + e.tid + ')';
}
function showTip(ev, b) {
	const tip = $('tip');
	tip.textContent = '';
	tip.appendChild(el('b', null, mapsLine(b)));
	tip.appendChild(document.createTextNode('\n' + (b.n > 1 ? b.n + ' pieces here, merged: ' : 'this piece: ') +
		ms(b.since) + ' \u2192 ' + ms(b.until) + ' ms' + (b.live ? ' (still mapped at the end)' : '')));
	const t = touching(b);
	/* issue 11's faults records: the region's name (a file's) and its page faults */
	const fr = t.filter((e) => e.event === 'faults');
	if (fr.length) {
		const names = [...new Set(fr.map((e) => e.region).filter(Boolean))];
		const total = fr.reduce((n, e) => n + (e.total || 0), 0);
		const cls = {};
		for (const e of fr) for (const k of ['anon', 'cow', 'file', 'file_cow', 'shared', 'stack', 'other']) if (e[k]) cls[k] = (cls[k] || 0) + e[k];
		tip.appendChild(document.createTextNode('\n' + (names.length ? names.join(', ') + ': ' : '') + num(total) + ' page faults (' +
			Object.keys(cls).map((k) => k + ' ' + num(cls[k])).join(', ') + ')'));
	}
	tip.appendChild(document.createTextNode('\n\nevents that touched it' + (M.sampling.events > events.length ? ' (of those in the table)' : '') + ':'));
	for (const e of t.slice(0, 12)) tip.appendChild(document.createTextNode('\n  ' + evLine(e)));
	if (t.length > 12) tip.appendChild(document.createTextNode('\n  \u2026 ' + (t.length - 12) + ' more: click the band to list them'));
	if (!t.length) tip.appendChild(document.createTextNode('\n  none in the table'));
	tip.style.display = 'block';
	const w = tip.offsetWidth, h = tip.offsetHeight;
	tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - w - 8) + 'px';
	tip.style.top = (ev.clientY + 14 + h > window.innerHeight ? Math.max(4, ev.clientY - h - 10) : ev.clientY + 14) + 'px';
}

function mapEvents() {
	const cv = $('map');
	const pos = (ev) => { const r = cv.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; };
	cv.addEventListener('mousemove', (ev) => {
		const [x, y] = pos(ev);
		if (view.drag) { view.drag[1] = x; mapDraw(); return; }
		const b = bandAt(x, y);
		if (b) showTip(ev, b); else $('tip').style.display = 'none';
	});
	cv.addEventListener('mouseleave', () => { $('tip').style.display = 'none'; });
	cv.addEventListener('mousedown', (ev) => { const [x] = pos(ev); if (x > view.left) view.drag = [x, x]; });
	window.addEventListener('mouseup', (ev) => {
		if (!view.drag) return;
		const [a, b] = [Math.min(...view.drag), Math.max(...view.drag)];
		view.drag = null;
		if (b - a > 6) {
			const t0 = tOf(a), t1 = tOf(b);
			view.t0 = t0; view.t1 = t1;
			mapDraw();
		} else {
			const [x, y] = pos(ev);
			const band = bandAt(x, y);
			if (band) {
				$('f-lo').value = '0x' + band.lo.toString(16);
				$('f-hi').value = '0x' + band.hi.toString(16);
				$('f-pid').value = '';
				table();
			}
			mapDraw();
		}
	});
	cv.addEventListener('dblclick', () => { [view.t0, view.t1] = view.full; mapDraw(); });
	$('map-reset').addEventListener('click', () => { [view.t0, view.t1] = view.full; mapDraw(); });
	$('time-axis').addEventListener('change', (e) => { view.axis = e.target.value; mapDraw(); });
	let rt;
	window.addEventListener('resize', () => { clearTimeout(rt); rt = setTimeout(() => { mapDraw(); counters(); }, 100); });
	const lg = $('legend');
	for (const k of Object.keys(KIND)) {
		const s = el('span', 'k');
		const i = el('i');
		i.style.background = KIND[k][0];
		s.appendChild(i);
		s.appendChild(document.createTextNode(KIND[k][1]));
		lg.appendChild(s);
	}
	lg.appendChild(el('span', 'k', 'hatched: no access (reserved, guard page) \u00b7 paler: read-only \u00b7 dark top edge: executable'));
}

/* ---- counters ---- */
let plot = null;
function counters() {
	const p = procs[selProc];
	const box = $('counters');
	if (plot) { plot.destroy(); plot = null; }
	box.textContent = '';
	if (!p) return;
	/* the address spaces the process used, each for its stretch of time */
	const steps = [{ as: p.first_as, from: p.start_ts }];
	/* (the launcher's exec makes the first as: one step, not two of the same as) */
	for (const x of p.execs) if (!x.error && x.as !== steps[steps.length - 1].as) steps.push({ as: x.as, from: x.ts });
	const end = p.ended ? p.end_ts : traceEnd;
	const X = [], A = [], Rv = [], Hp = [], RSS = [], PK = [];
	let hasRss = false;
	steps.forEach((s, i) => {
		const to = i + 1 < steps.length ? steps[i + 1].from : end;
		const pts = M.counters[s.as] || [];
		let before = null, last = null, after = null;
		for (const q of pts) {
			if (q[0] < s.from) { before = q; continue; }
			if (q[0] > to) { after = q; continue; }
			if (before) { push(s.from, before); before = null; }
			push(q[0], q);
			last = q;
		}
		if (before) { push(s.from, before); last = before; }
		/* records written at the teardown that follows the exit or exec (as_end:
		 * the RSS before the pages went) are what the address space held at its
		 * end: drawn at the exit, the mapped counters unchanged */
		if (after && last && after.length > 4 && after[4] != null && (after[4] !== last[4] || after[5] !== last[5]))
			push(to, [to, last[1], last[2], last[3], after[4], after[5]]);
		else if (last && last[0] < to && i + 1 < steps.length)
			push(to, last);	/* the values hold until the exec */
	});
	function push(t, q) {
		X.push(t / 1e6); A.push(q[1]); Rv.push(q[2]); Hp.push(q[3]);
		/* RSS: null (nothing drawn) before the address space's first rss record */
		RSS.push(q.length > 4 ? q[4] : null);
		PK.push(q.length > 5 ? q[5] : null);
		if (q.length > 4) hasRss = true;
	}
	if (X.length) { X.push(Math.max(end / 1e6, X[X.length - 1])); A.push(A[A.length - 1]); Rv.push(Rv[Rv.length - 1]); Hp.push(Hp[Hp.length - 1]); RSS.push(RSS[RSS.length - 1]); PK.push(PK[PK.length - 1]); }
	$('counters-title').textContent = 'Memory over time \u2014 pid ' + p.pid + ' ' + p.comm;
	if (X.length < 2) { box.appendChild(el('div', 'hint', 'No memory event of this process is in the trace.')); return; }
	const fmt = (u, v) => v == null ? '' : bytes(v);
	/* ticks at binary sizes (4 KiB, 8 MiB), times with as many decimals as their step needs */
	const binary = Array.from({ length: 48 }, (_, k) => 2 ** k);
	const msTicks = (u, vs, ax, space, incr) => vs.map((v) => v.toFixed(Math.max(0, Math.min(6, -Math.floor(Math.log10(incr || 1))))));
	const stepped = uPlot.paths.stepped({ align: 1 });
	const series = [
		{ label: 'time (ms)', value: (u, v) => v == null ? '' : v.toFixed(3) + ' ms' },
		{ label: 'accessible', stroke: '#3a7bd5', width: 2, paths: stepped, value: fmt },
		{ label: 'reserved (PROT_NONE)', stroke: '#8c8c8c', width: 2, dash: [6, 4], paths: stepped, value: fmt },
		{ label: 'heap (brk)', stroke: '#3d9a3a', width: 2, paths: stepped, value: fmt },
	];
	const data = [X, A, Rv, Hp];
	if (hasRss) {
		series.push({ label: 'RSS', stroke: '#c0392b', width: 2, paths: stepped, value: fmt }); data.push(RSS);
		series.push({ label: 'RSS peak (VmHWM)', stroke: '#c0392b', width: 1, dash: [2, 3], paths: stepped, value: fmt }); data.push(PK);
	}
	plot = new uPlot({
		width: Math.max(300, box.clientWidth || 800), height: 220,
		scales: { x: { time: false } },
		series,
		axes: [{ label: 'ms', values: msTicks }, { label: 'bytes', size: 70, incrs: binary, values: (u, vs) => vs.map((v) => bytes(v)) }],
		cursor: { drag: { x: true, y: false } },
	}, data, box);
	/* what the chart drew, for the tests: the highest RSS and RSS peak */
	const top = (v) => v.reduce((m, x) => x != null && x > m ? x : m, -1);
	box.dataset.rss = hasRss ? top(RSS) : -1;
	box.dataset.rssPeak = hasRss ? top(PK) : -1;
}

/* ---- events table ---- */
const SKIP = new Set(['ts', 'event', 'pid', 'tid', 'comm', 'as', '_r']);
function details(e, short) {
	const out = [];
	for (const k of Object.keys(e)) {
		if (SKIP.has(k)) continue;
		if (short && (k === 'flags' && e.event === 'fork')) continue;
		let v = e[k];
		if (k === 'len' || k === 'old_len' || k === 'new_len') v = v + (v >= 4096 ? ' (' + bytes(v) + ')' : '');
		out.push(k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)));
	}
	return out.join(' ');
}
function filters() {
	const types = [...new Set(events.map((e) => e.event))];
	const pidSel = $('f-pid');
	for (const p of procs) {
		const o = el('option', null, p.pid + ' ' + p.comm);
		o.value = p.pid;
		pidSel.appendChild(o);
	}
	for (const t of types) {
		const l = el('label');
		const c = el('input');
		c.type = 'checkbox'; c.checked = true; c.value = t; c.className = 'f-type';
		l.appendChild(c);
		l.appendChild(document.createTextNode(' ' + t));
		$('f-types').appendChild(l);
	}
	for (const id of ['f-pid', 'f-tid', 'f-lo', 'f-hi']) $(id).addEventListener('input', table);
	$('f-types').addEventListener('change', table);
	$('f-clear').addEventListener('click', () => {
		for (const id of ['f-tid', 'f-lo', 'f-hi']) $(id).value = '';
		$('f-pid').value = '';
		for (const c of document.querySelectorAll('.f-type')) c.checked = true;
		table();
	});
}
const ROWS = 1000;
function table() {
	const pid = $('f-pid').value, tid = $('f-tid').value.trim();
	const lo = $('f-lo').value.trim() ? addr($('f-lo').value.trim().replace(/^(0x)?/, '0x')) : NaN;
	const hi = $('f-hi').value.trim() ? addr($('f-hi').value.trim().replace(/^(0x)?/, '0x')) : NaN;
	const types = new Set([...document.querySelectorAll('.f-type')].filter((c) => c.checked).map((c) => c.value));
	const useAddr = !isNaN(lo) || !isNaN(hi);
	const L = isNaN(lo) ? 0 : lo, H = isNaN(hi) ? Infinity : hi;
	const match = events.filter((e) => (!pid || e.pid === +pid) && (!tid || e.tid === +tid) && types.has(e.event) &&
		(!useAddr || e._r.some(([a, b]) => a < H && b > L)));
	const tb = document.querySelector('#events tbody');
	tb.textContent = '';
	const frag = document.createDocumentFragment();
	for (const e of match.slice(0, ROWS)) {
		const tr = el('tr', e.error ? 'err' : null);
		for (const v of [ms(e.ts), e.pid, e.tid, e.comm, e.as, e.event]) tr.appendChild(el('td', null, v));
		tr.appendChild(el('td', 'd', details(e)));
		frag.appendChild(tr);
	}
	tb.appendChild(frag);
	const s = M.sampling;
	$('events-count').textContent = num(match.length) + ' of ' + num(events.length) + ' events match' +
		(match.length > ROWS ? ' (the first ' + num(ROWS) + ' shown: narrow the filter)' : '') +
		(s.events > events.length ? ' \u00b7 the page holds ' + num(events.length) + ' of the trace\u2019s ' + num(s.events) + ' events (see the note at the top)' : '') +
		(useAddr ? ' \u00b7 address filter: events whose range overlaps it' : '');
}

/* ---- selection ---- */
function select(pi, as) {
	if (pi !== null) {
		selProc = pi;
		const p = procs[pi];
		selAs = as || p.as || p.first_as;
	} else {
		selAs = as;
		const owner = procs.findIndex((p) => p.first_as === as || p.execs.some((x) => x.as === as && !x.error));
		if (owner >= 0) selProc = owner;
	}
	for (const r of procRows) r.classList.toggle('selected', +r.dataset.proc === selProc);
	for (const c of document.querySelectorAll('.as')) c.classList.toggle('selected', +c.dataset.as === selAs);
	mapSetup();
	counters();
}

/* The first selection: the root process, at the address space with most to show. */
function firstSelection() {
	if (!procs.length) return;
	const root = procs.findIndex((p) => p.pid === R.trace.root_pid);
	const i = root >= 0 ? root : 0;
	const p = procs[i];
	const mine = [p.first_as, ...p.execs.filter((x) => !x.error).map((x) => x.as)];
	let best = p.as, n = -1;
	for (const a of mine) {
		const k = bands.filter((b) => b.as === a).length;
		if (k > n) { n = k; best = a; }
	}
	select(i, best);
}

header();
tree();
mapEvents();
filters();
table();
firstSelection();
document.body.dataset.ready = '1';
})();

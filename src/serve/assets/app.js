/* mixdown — the console page's logic (docs/console.md): builds one strip per
 * track, bus and the master from the server's "session" message, sends every
 * control change over the WebSocket (the engine smooths it), applies the
 * "changed" broadcasts of other browsers, draws the ~30 fps meter frames.
 * Gains in dB, pan -1..+1. No framework, no build step, no network beyond
 * this server. window.mixdown exposes the actions (setFader, setPan,
 * toggleMute, toggleSolo, togglePolarity, setWidth, toggleBypass, save, play,
 * stop, locate) for scripts and tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
'use strict';
(function () {
	const $ = (id) => document.getElementById(id);
	const el = (tag, cls, text) => {
		const e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	};
	const MIN_DB = -80, MAX_DB = 12;
	const state = { strips: [], byName: {}, meters: null, selected: 0, session: null, ws: null, id: 0,
		playing: false, pos: 0, loop: [0, 0], log: [], ready: false };

	/* Fader law: 0 dB at 75 % of the travel, +12 at the top; -20..+12 dB
	 * linear in dB over the upper 65 %, below that down to -80 dB. */
	function dbToPos(db) {
		db = Math.max(MIN_DB, Math.min(MAX_DB, db));
		return db >= -20 ? 0.35 + 0.65 * (db + 20) / 32 : 0.35 * (db - MIN_DB) / (-20 - MIN_DB);
	}
	function posToDb(p) {
		p = Math.max(0, Math.min(1, p));
		return p >= 0.35 ? -20 + (p - 0.35) / 0.65 * 32 : MIN_DB + p / 0.35 * (-20 - MIN_DB);
	}
	const fmtDb = (v) => v === null || v === undefined || !isFinite(v) ? '-inf' : (v > 0 ? '+' : '') + v.toFixed(1);
	function fmtTime(s) {
		const m = Math.floor(s / 60), r = s - 60 * m;
		return m + ':' + (r < 10 ? '0' : '') + r.toFixed(3);
	}

	function send(obj) {
		if (state.ws && state.ws.readyState === 1) state.ws.send(JSON.stringify(obj));
	}
	function status(text, err) {
		const s = $('t-status');
		s.textContent = text;
		s.className = 'small' + (err ? ' err' : '');
		state.log.push(text);
	}

	/* ---- actions (the UI and window.mixdown call these) */
	function set(name, param, value) {
		const st = state.byName[name];
		if (!st) return false;
		applyValue(st, param, value);
		send({ type: 'set', strip: name, param: param, value: typeof value === 'boolean' ? (value ? 1 : 0) : value });
		return true;
	}
	const setFader = (name, db) => set(name, 'gain', Math.round(Math.max(MIN_DB, Math.min(MAX_DB, db)) * 100) / 100);
	const setPan = (name, pan) => set(name, 'pan', Math.max(-1, Math.min(1, pan)));
	const toggleMute = (name) => state.byName[name] && set(name, 'mute', !state.byName[name].mute);
	const toggleSolo = (name) => state.byName[name] && set(name, 'solo', !state.byName[name].solo);
	const togglePolarity = (name) => state.byName[name] && set(name, 'polarity', !state.byName[name].invert);
	const setWidth = (name, w) => set(name, 'width', Math.round(Math.max(0, Math.min(2, w)) * 100) / 100);
	/* Insert `ref` (its n or id) of a strip: bypassed <-> engaged (20 ms crossfade in the engine). */
	function toggleBypass(name, ref) {
		const st = state.byName[name];
		const ins = st && (st.inserts || []).find((x) => String(x.n) === String(ref) || x.id === ref);
		return !!ins && set(name, 'insert:' + (ins.id || ins.n) + ':bypass', !ins.bypass);
	}
	const save = () => send({ type: 'save' });
	const play = () => send({ type: 'transport', op: 'play' });
	const stop = () => send({ type: 'transport', op: 'stop' });
	function locate(pos) {
		const n = Number(pos);
		send({ type: 'transport', op: 'locate', pos: pos !== '' && isFinite(n) ? n : String(pos) });
	}

	/* ---- the strips */
	function applyValue(st, param, value) {
		if (param === 'gain') st.gain = value;
		else if (param === 'pan') st.pan = value;
		else if (param === 'polarity') st.invert = !!value;
		else if (param === 'width') st.width = value;
		else if (param === 'mute') st.mute = !!value;
		else if (param === 'solo') st.solo = !!value;
		else if (param.startsWith('send:')) {
			const sd = (st.sends || []).find((x) => x.bus === param.slice(5));
			if (!sd) return;
			sd.level = value;
			if (sd.ui) { sd.ui.value = Math.max(-60, value); sd.ui.title = sd.bus + ' ' + fmtDb(value) + ' dB'; }
			return;
		} else if (param.startsWith('insert:')) {
			const m = /^insert:([^:]+):(.+)$/.exec(param);
			const ins = m && (st.inserts || []).find((x) => String(x.n) === m[1] || x.id === m[1]);
			if (!ins) return;
			if (m[2] === 'bypass') {
				ins.bypass = !!value;
				if (ins.ui && ins.ui.byp) ins.ui.byp.classList.toggle('on', ins.bypass);
				return;
			}
			ins.params[m[2]] = value;
			if (ins.ui && ins.ui[m[2]] && document.activeElement !== ins.ui[m[2]]) ins.ui[m[2]].value = value;
			if (ins.curve) drawEq(ins);
			return;
		} else return;
		render(st);
	}
	function render(st) {
		const u = st.ui;
		if (!u) return;
		u.thumb.style.top = ((1 - dbToPos(st.gain)) * 100) + '%';
		if (!u.value.querySelector('input')) u.value.textContent = fmtDb(st.gain) + ' dB';
		if (u.knob) {
			u.knob.style.setProperty('--angle', (st.pan * 135) + 'deg');
			const side = st.pan < 0 ? 'L' : 'R';
			u.panText.textContent = Math.abs(st.pan) < 0.005 ? 'C' : side + Math.round(Math.abs(st.pan) * 100);
		}
		if (u.mute) u.mute.classList.toggle('on', st.mute);
		if (u.inv) u.inv.classList.toggle('on', !!st.invert);
		if (u.width) {
			const w = typeof st.width === 'number' ? st.width : 1;
			if (document.activeElement !== u.width) u.width.value = w;
			u.width.title = 'Width ' + Math.round(w * 100) + ' % (0 = mono, 100 = as recorded; double-click: 100 %)';
		}
		if (u.solo) u.solo.classList.toggle('on', st.solo);
	}

	function drag(target, onMove) {
		target.addEventListener('pointerdown', (ev) => {
			if (ev.button !== 0) return;
			target.setPointerCapture(ev.pointerId);
			let last = ev.clientY;
			const move = (e) => {
				onMove(last - e.clientY, e.shiftKey, e);
				last = e.clientY;
			};
			const up = () => {
				target.removeEventListener('pointermove', move);
				target.removeEventListener('pointerup', up);
			};
			target.addEventListener('pointermove', move);
			target.addEventListener('pointerup', up);
			ev.preventDefault();
		});
	}

	function buildStrip(st, index) {
		const root = el('div', 'strip ' + st.kind);
		root.dataset.name = st.name;
		root.dataset.kind = st.kind;
		if (st.colour) root.style.setProperty('--colour', st.colour);
		const u = (st.ui = { root });
		root.appendChild(el('div', 'name', st.name)).title = st.name;
		root.appendChild(el('div', 'kind', st.group ? st.kind + ' · ' + st.group : st.kind));
		if (st.kind !== 'master') {
			const pan = el('div', 'pan');
			u.knob = pan.appendChild(el('div', 'knob'));
			u.knob.title = 'Pan: drag (Shift fine), double-click centre';
			u.panText = pan.appendChild(el('div', 'small'));
			drag(u.knob, (dy, fine) => setPan(st.name, st.pan + dy * (fine ? 0.002 : 0.01)));
			u.knob.addEventListener('dblclick', () => setPan(st.name, 0));
			root.appendChild(pan);
			const b = el('div', 'btns');
			u.mute = b.appendChild(el('button', 'mute', 'M'));
			u.mute.title = 'Mute (M)';
			u.mute.onclick = () => toggleMute(st.name);
			u.solo = b.appendChild(el('button', 'solo', 'S'));
			u.solo.title = 'Solo (S)';
			u.solo.onclick = () => toggleSolo(st.name);
			root.appendChild(b);
		}
		/* Polarity and width: every strip, the master too. */
		const pw = root.appendChild(el('div', 'btns'));
		u.inv = pw.appendChild(el('button', 'inv', 'Ø'));
		u.inv.title = 'Polarity (I): invert; a 10 ms fade, no click';
		u.inv.onclick = () => togglePolarity(st.name);
		u.width = pw.appendChild(el('input', 'width'));
		u.width.type = 'range';
		u.width.min = 0;
		u.width.max = 2;
		u.width.step = 0.01;
		u.width.oninput = () => setWidth(st.name, Number(u.width.value));
		u.width.ondblclick = () => setWidth(st.name, 1);
		const zone = el('div', 'faderzone');
		const scale = zone.appendChild(el('div', 'scale'));
		for (const d of [12, 6, 0, -6, -12, -20, -40, -60]) {
			const t = scale.appendChild(el('span', '', String(d)));
			t.style.top = ((1 - dbToPos(d)) * 100) + '%';
		}
		const fader = zone.appendChild(el('div', 'fader'));
		fader.title = 'Fader: drag (Shift fine), double-click 0 dB';
		fader.appendChild(el('div', 'track'));
		u.thumb = fader.appendChild(el('div', 'thumb'));
		drag(fader, (dy, fine) => {
			const h = fader.clientHeight || 260;
			const p = dbToPos(st.gain) + dy / h * (fine ? 0.1 : 1);
			setFader(st.name, posToDb(p));
		});
		fader.addEventListener('dblclick', () => setFader(st.name, 0));
		u.meter = zone.appendChild(el('canvas', 'meter'));
		u.meter.width = 14;
		u.meter.height = 260;
		if (st.kind === 'master') {
			u.meter2 = zone.appendChild(el('canvas', 'meter'));
			u.meter2.width = 14;
			u.meter2.height = 260;
			u.meter2.title = 'Momentary loudness (LUFS) against the target';
		}
		root.appendChild(zone);
		u.clip = root.appendChild(el('div', 'clip'));
		u.clip.title = 'Clip (a sample reached 0 dBFS in the last 2 s); click to clear';
		u.clip.onclick = () => { u.clipCleared = performance.now(); u.clip.classList.remove('lit'); };
		u.gr = root.appendChild(el('div', 'gr'));
		u.gr.title = 'Gain reduction of the strip\'s dynamics';
		u.grBar = u.gr.appendChild(el('div'));
		if (st.sends && st.sends.length) root.appendChild(buildSends(st));
		if (st.inserts && st.inserts.length) root.appendChild(buildInserts(st));
		u.value = root.appendChild(el('div', 'value'));
		u.value.title = 'Click to type a gain in dB';
		u.value.onclick = () => typeValue(st);
		if (st.kind === 'master') {
			const l = (u.loud = root.appendChild(el('div', 'loud')));
			u.lm = addRow(l, 'M');
			u.ls = addRow(l, 'S');
			u.li = addRow(l, 'I');
			u.ltp = addRow(l, 'TP');
			u.lt = addRow(l, 'target');
		}
		root.addEventListener('pointerdown', () => select(index));
		render(st);
		return root;
	}
	function buildSends(st) {
		const box = el('div', 'sends');
		for (const sd of st.sends) {
			const row = box.appendChild(el('label', 'send'));
			row.appendChild(el('span', 'small', sd.bus + (sd.pre ? ' (pre)' : '')));
			const r = (sd.ui = row.appendChild(el('input')));
			r.type = 'range';
			r.min = -60;
			r.max = 12;
			r.step = 0.5;
			r.value = Math.max(-60, sd.level);
			r.title = sd.bus + ' ' + fmtDb(sd.level) + ' dB (double-click: 0 dB)';
			r.oninput = () => set(st.name, 'send:' + sd.bus, Number(r.value) <= -60 ? -144 : Number(r.value));
			r.ondblclick = () => set(st.name, 'send:' + sd.bus, 0);
		}
		return box;
	}
	/* Number entries for an insert's parameters; EQ: a response curve. */
	function buildInserts(st) {
		const box = el('div', 'inserts');
		for (const ins of st.inserts) {
			const row = box.appendChild(el('div', 'insert'));
			const head = row.appendChild(el('div', 'ihead'));
			head.appendChild(el('span', '', ins.n + ' ' + ins.type));
			const byp = head.appendChild(el('button', 'byp' + (ins.bypass ? ' on' : ''), 'byp'));
			/* An insert bypassed in the file is not started: only the file can engage it. */
			byp.disabled = !!ins.bypass;
			byp.title = ins.bypass ? 'bypassed in the session file (edit the file to engage it)'
				: 'Bypass: a 20 ms crossfade to the dry signal';
			byp.onclick = () => toggleBypass(st.name, ins.id || ins.n);
			ins.ui = { byp };
			let keys = Object.keys(ins.params).filter((k) => typeof ins.params[k] === 'number');
			if (ins.type === 'eq') {
				ins.curve = row.appendChild(el('canvas', 'eqcurve'));
				ins.curve.width = 160;
				ins.curve.height = 48;
				ins.curve.title = 'EQ response, 20 Hz - 20 kHz, ±18 dB (RBJ biquads)';
				keys = keys.filter((k) => /\.(gain|freq)$/.test(k));
				drawEq(ins);
			} else if (ins.type === 'compressor') {
				keys = ['threshold', 'ratio'].filter((k) => k in ins.params);
			} else {
				keys = keys.slice(0, 3);
			}
			for (const k of keys) {
				const r = row.appendChild(el('label', 'iparam'));
				r.appendChild(el('span', 'small', k.replace(/^bands\./, 'b')));
				const inp = (ins.ui[k] = r.appendChild(el('input')));
				inp.type = 'number';
				inp.step = /freq/.test(k) ? 10 : 0.5;
				inp.value = ins.params[k];
				inp.addEventListener('keydown', (e) => e.stopPropagation());
				inp.onchange = () => {
					const v = Number(inp.value);
					if (isFinite(v)) set(st.name, 'insert:' + (ins.id || ins.n) + ':' + k, v);
				};
			}
		}
		return box;
	}
	/* |H| in dB of one RBJ cookbook biquad (R. Bristow-Johnson, "Cookbook
	 * formulae for audio EQ biquad filter coefficients") at f Hz. */
	function biquadDb(type, f0, g, q, f, rate) {
		const A = Math.pow(10, g / 40), w0 = 2 * Math.PI * f0 / rate, cw = Math.cos(w0), sw = Math.sin(w0);
		const al = sw / (2 * q), sA = 2 * Math.sqrt(A) * al;
		let b0, b1, b2, a0, a1, a2;
		switch (type) {
		case 'lowpass': b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = b0; a0 = 1 + al; a1 = -2 * cw; a2 = 1 - al; break;
		case 'highpass': b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = b0; a0 = 1 + al; a1 = -2 * cw; a2 = 1 - al; break;
		case 'bandpass': b0 = al; b1 = 0; b2 = -al; a0 = 1 + al; a1 = -2 * cw; a2 = 1 - al; break;
		case 'notch': b0 = 1; b1 = -2 * cw; b2 = 1; a0 = 1 + al; a1 = -2 * cw; a2 = 1 - al; break;
		case 'lowshelf':
			b0 = A * ((A + 1) - (A - 1) * cw + sA); b1 = 2 * A * ((A - 1) - (A + 1) * cw);
			b2 = A * ((A + 1) - (A - 1) * cw - sA); a0 = (A + 1) + (A - 1) * cw + sA;
			a1 = -2 * ((A - 1) + (A + 1) * cw); a2 = (A + 1) + (A - 1) * cw - sA; break;
		case 'highshelf':
			b0 = A * ((A + 1) + (A - 1) * cw + sA); b1 = -2 * A * ((A - 1) + (A + 1) * cw);
			b2 = A * ((A + 1) + (A - 1) * cw - sA); a0 = (A + 1) - (A - 1) * cw + sA;
			a1 = 2 * ((A - 1) - (A + 1) * cw); a2 = (A + 1) - (A - 1) * cw - sA; break;
		case 'peak': b0 = 1 + al * A; b1 = -2 * cw; b2 = 1 - al * A; a0 = 1 + al / A; a1 = -2 * cw; a2 = 1 - al / A; break;
		default: return 0;
		}
		const w = 2 * Math.PI * f / rate, c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
		const nr = b0 + b1 * c1 + b2 * c2, ni = -(b1 * s1 + b2 * s2), dr = a0 + a1 * c1 + a2 * c2, di = -(a1 * s1 + a2 * s2);
		return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
	}
	function drawEq(ins) {
		const cv = ins.curve, g = cv.getContext('2d'), w = cv.width, h = cv.height;
		const rate = (state.session && state.session.rate) || 48000;
		g.fillStyle = '#0b0d0e';
		g.fillRect(0, 0, w, h);
		g.strokeStyle = '#333a42';
		g.beginPath();
		g.moveTo(0, h / 2);
		g.lineTo(w, h / 2);
		g.stroke();
		const bands = [];
		for (let k = 1; ('bands.' + k + '.type') in ins.params; k++) {
			const p = (n, d) => (('bands.' + k + '.' + n) in ins.params ? ins.params['bands.' + k + '.' + n] : d);
			bands.push({ type: p('type', 'off'), freq: p('freq', 1000), gain: p('gain', 0), q: p('q', 0.707),
				slope: p('slope', 12) });
		}
		g.strokeStyle = '#4fb3ff';
		g.lineWidth = 1.5;
		g.beginPath();
		for (let x = 0; x < w; x++) {
			const f = 20 * Math.pow(1000, x / (w - 1));
			let db = 0;
			for (const b of bands) {
				/* Steeper high/low passes: the 12 dB/oct section raised to slope/12. */
				const k = b.type === 'highpass' || b.type === 'lowpass' ? b.slope / 12 : 1;
				db += k * biquadDb(b.type, b.freq, b.gain, b.q, Math.min(f, rate * 0.49), rate);
			}
			const y = h / 2 - Math.max(-18, Math.min(18, db)) / 18 * (h / 2 - 2);
			if (x) g.lineTo(x, y); else g.moveTo(x, y);
		}
		g.stroke();
	}
	function addRow(grid, key) {
		grid.appendChild(el('span', 'k', key));
		return grid.appendChild(el('span', 'v', '-'));
	}
	function typeValue(st) {
		const u = st.ui;
		if (u.value.querySelector('input')) return;
		const inp = el('input');
		inp.value = st.gain.toFixed(1);
		u.value.textContent = '';
		u.value.appendChild(inp);
		inp.focus();
		inp.select();
		const done = (ok) => {
			const v = parseFloat(inp.value);
			u.value.textContent = '';
			if (ok && isFinite(v)) setFader(st.name, v);
			render(st);
		};
		inp.addEventListener('keydown', (e) => {
			e.stopPropagation();
			if (e.key === 'Enter') done(true);
			if (e.key === 'Escape') done(false);
		});
		inp.addEventListener('blur', () => done(false));
	}
	function select(i) {
		if (!state.strips.length) return;
		state.selected = Math.max(0, Math.min(state.strips.length - 1, i));
		state.strips.forEach((s, k) => s.ui.root.classList.toggle('selected', k === state.selected));
	}

	function onSession(msg) {
		state.session = msg;
		const box = $('strips');
		box.textContent = '';
		const details = {};
		for (const d of msg.details || []) details[d.name] = d;
		state.strips = msg.strips.map((s) => Object.assign({}, details[s.name] || {}, s));
		state.byName = {};
		state.strips.forEach((s) => { state.byName[s.name] = s; });
		for (const o of msg.overrides || []) if (state.byName[o.strip]) applyValue(state.byName[o.strip], o.param, o.value);
		state.strips.forEach((s, i) => {
			state.byName[s.name] = s;
			box.appendChild(buildStrip(s, i));
		});
		select(state.selected);
		state.ready = true;
		document.body.dataset.ready = '1';
	}

	/* ---- meters */
	const meterPos = (db) => db === null || db === undefined ? 0 : Math.max(0, Math.min(1, (db + 60) / 66));
	function drawMeter(cv, peak, rms, hold, lo, hi) {
		const g = cv.getContext('2d'), h = cv.height, w = cv.width;
		const at = (db) => db === null || db === undefined ? 0 : Math.max(0, Math.min(1, (db - lo) / (hi - lo)));
		g.clearRect(0, 0, w, h);
		const grad = g.createLinearGradient(0, h, 0, 0);
		grad.addColorStop(0, '#1f9e4a');
		grad.addColorStop(at(-18), '#3fcf6f');
		grad.addColorStop(at(-6), '#e6d23a');
		grad.addColorStop(at(-1), '#ff3b3b');
		g.fillStyle = grad;
		const p = at(peak) * h, r = at(rms) * h;
		g.globalAlpha = 0.45;
		g.fillRect(0, h - p, w, p);
		g.globalAlpha = 1;
		g.fillRect(2, h - r, w - 4, r);
		if (hold !== null && hold !== undefined) {
			g.fillStyle = '#fff';
			g.fillRect(0, h - at(hold) * h, w, 2);
		}
	}
	function drawMeters() {
		const m = state.meters;
		if (m && state.ready) {
			m.strips.forEach((v, i) => {
				const st = state.strips[i];
				if (!st || !st.ui) return;
				const u = st.ui;
				drawMeter(u.meter, v[0], v[1], v[2], -60, 6);
				const recently = u.clipCleared && performance.now() - u.clipCleared < 2100;
				u.clip.classList.toggle('lit', !!v[3] && !recently);
				u.grBar.style.width = Math.min(100, (v[4] || 0) / 20 * 100) + '%';
			});
			const master = state.strips[state.strips.length - 1];
			if (master && master.ui.loud) {
				const t = state.session.target ? state.session.target.lufs : null;
				const show = (e, v, tgt) => {
					e.textContent = v === null || v === undefined ? '-' : v.toFixed(1);
					e.className = 'v' + (tgt !== null && tgt !== undefined && v !== null && v !== undefined
						? (v > tgt + 1 ? ' over' : v > tgt - 1 ? ' ok' : '') : '');
				};
				show(master.ui.lm, m.master.m, t);
				show(master.ui.ls, m.master.s, t);
				show(master.ui.li, m.master.i, t);
				// Red above the session's true-peak ceiling, green within 2 dB below it.
				const ceiling = state.session.target ? state.session.target.tp : -1;
				show(master.ui.ltp, m.master.tp, ceiling - 1);
				master.ui.lt.textContent = t === null || t === undefined ? '-' : t.toFixed(1) + ' LUFS';
				const lo = (t || -14) - 30, hi = (t || -14) + 6;
				drawMeter(master.ui.meter2, m.master.m, m.master.s, m.master.i, lo, hi);
			}
			$('t-time').textContent = fmtTime(m.pos);
			$('t-bar').textContent = m.bar || '-:-';
			$('t-load').textContent = 'DSP ' + (m.load === null ? '-' : Math.round(m.load * 100) + '%');
			$('t-play').classList.toggle('on', m.playing);
			$('t-loop').classList.toggle('on', m.loop[1] !== null && m.loop[1] > m.loop[0]);
			state.playing = m.playing;
			state.loop = m.loop;
		}
		requestAnimationFrame(drawMeters);
	}

	/* ---- the connection */
	function connect() {
		const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + location.search;
		const ws = (state.ws = new WebSocket(url));
		ws.onopen = () => status('connected');
		ws.onclose = () => {
			status('disconnected; retrying', true);
			state.ws = null;
			setTimeout(connect, 1000);
		};
		ws.onmessage = (ev) => {
			let msg;
			try { msg = JSON.parse(ev.data); } catch (e) { return; }
			if (msg.type === 'meters') state.meters = msg;
			else if (msg.type === 'session') onSession(msg);
			else if (msg.type === 'hello') state.id = msg.id;
			else if (msg.type === 'changed') {
				const st = state.byName[msg.strip];
				if (st && msg.by !== state.id) applyValue(st, msg.param, msg.value);
			} else if (msg.type === 'saved') status('saved ' + msg.path);
			else if (msg.type === 'reload_error') status(msg.message, true);
			else if (msg.type === 'error') status(msg.message, true);
		};
	}

	/* ---- transport and keys */
	function parseRange(text) {
		const m = /^\s*([^-\s]+)\s*-\s*([^-\s]+)\s*$/.exec(text);
		return m ? [m[1], m[2]] : null;
	}
	function toggleLoop() {
		if (state.loop[1] !== null && state.loop[1] > state.loop[0]) {
			send({ type: 'transport', op: 'loop', start: 0, end: 0 });
			return;
		}
		const r = parseRange($('t-loop-range').value);
		const secs = (p) => (isFinite(Number(p)) ? Number(p) : barToSeconds(p));
		if (!r) { status('type a loop range first, e.g. 5:1-9:1 or 10-20', true); return; }
		const a = secs(r[0]), b = secs(r[1]);
		if (a === null || b === null) { status('loop range: bar:beat needs the session tempo', true); return; }
		send({ type: 'transport', op: 'loop', start: a, end: b });
	}
	/* bar:beat -> seconds at the session's starting tempo (4 beats a bar);
	 * the server resolves exact positions for locate. */
	function barToSeconds(p) {
		const m = /^(\d+):(\d+)$/.exec(p), t = state.session && state.session.tempo;
		return m && t ? ((Number(m[1]) - 1) * 4 + Number(m[2]) - 1) * 60 / t : null;
	}
	function setupTransport() {
		$('t-play').onclick = () => (state.playing ? stop() : play());
		$('t-stop').onclick = stop;
		$('t-home').onclick = () => locate(0);
		$('t-loop').onclick = toggleLoop;
		$('t-save').onclick = save;
		$('t-locate').addEventListener('keydown', (e) => {
			e.stopPropagation();
			if (e.key === 'Enter') locate(e.target.value.trim());
		});
		$('t-loop-range').addEventListener('keydown', (e) => {
			e.stopPropagation();
			if (e.key === 'Enter') toggleLoop();
		});
		document.addEventListener('keydown', (e) => {
			const st = state.strips[state.selected];
			if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') { save(); e.preventDefault(); return; }
			if (e.ctrlKey || e.metaKey || e.altKey) return;
			switch (e.key) {
			case ' ': state.playing ? stop() : play(); break;
			case 'Home': locate(0); break;
			case 'ArrowLeft': select(state.selected - 1); break;
			case 'ArrowRight': select(state.selected + 1); break;
			case 'ArrowUp': if (st) setFader(st.name, st.gain + (e.shiftKey ? 0.1 : 0.5)); break;
			case 'ArrowDown': if (st) setFader(st.name, st.gain - (e.shiftKey ? 0.1 : 0.5)); break;
			case 'm': case 'M': if (st && st.kind !== 'master') toggleMute(st.name); break;
			case 's': case 'S': if (st && st.kind !== 'master') toggleSolo(st.name); break;
			case 'i': case 'I': if (st) togglePolarity(st.name); break;
			case 'l': case 'L': toggleLoop(); break;
			default: return;
			}
			e.preventDefault();
		});
	}

	/* Scripted actions from the URL fragment, run through the same functions
	 * the controls use once the session is shown (tests, demos):
	 * #do=fader:NAME:DB,mute:NAME,solo:NAME,pan:NAME:P,save,play,stop */
	function runScript() {
		const m = /(?:^#|&)do=([^&]*)/.exec(location.hash);
		if (!m) return;
		const steps = decodeURIComponent(m[1]).split(',');
		const go = () => {
			if (!state.ready || !state.ws || state.ws.readyState !== 1) { setTimeout(go, 50); return; }
			for (const s of steps) {
				const p = s.split(':');
				if (p[0] === 'fader') setFader(p[1], Number(p[2]));
				else if (p[0] === 'pan') setPan(p[1], Number(p[2]));
				else if (p[0] === 'mute') toggleMute(p[1]);
				else if (p[0] === 'solo') toggleSolo(p[1]);
				else if (p[0] === 'save') save();
				else if (p[0] === 'play') play();
				else if (p[0] === 'stop') stop();
			}
			document.body.dataset.script = 'done';
		};
		go();
	}

	window.mixdown = {
		state, setFader, setPan, toggleMute, toggleSolo, togglePolarity, setWidth, toggleBypass,
		save, play, stop, locate, select,
	};
	setupTransport();
	connect();
	runScript();
	requestAnimationFrame(drawMeters);
})();

// optheory explorer: state, controls and drawing. Every formula it evaluates comes from
// window.OPTHEORY_DERIVED, printed by sympy at build time; nothing here is maths of the
// methods themselves (only parsing, spacing of sample points and drawing).
"use strict";
(function () {
  const D = window.OPTHEORY_DERIVED;
  const C = D.config;
  const KEYS = ["method", "eta", "beta", "gamma", "lam_min", "lam_max", "steps"];
  const $ = (id) => document.getElementById(id);
  let state = null;

  // ------------------------------------------------------------------ state
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  function describe(key) {
    const [lo, hi, loOpen, hiOpen] = C.limits[key];
    const kind = key === "steps" ? "an integer" : "a number";
    return `${kind} in ${loOpen ? "(" : "["}${lo}, ${hi}${hiOpen ? ")" : "]"}`;
  }

  function parseValue(key, text) {
    if (!NUMBER.test(text)) return null;
    const value = Number(text);
    const [lo, hi, loOpen, hiOpen] = C.limits[key];
    if (!Number.isFinite(value)) return null;
    if (loOpen ? !(value > lo) : !(value >= lo)) return null;
    if (hiOpen ? !(value < hi) : !(value <= hi)) return null;
    if (key === "steps" && !Number.isInteger(value)) return null;
    return value;
  }

  function fromFragment(text) {
    const next = Object.assign({}, C.defaults);
    const notes = [];
    const raw = (text || "").replace(/^#/, "");
    const given = {};
    for (const pair of raw.split("&")) {
      if (!pair) continue;
      const cut = pair.indexOf("=");
      let key, value;
      try {
        key = decodeURIComponent(cut < 0 ? pair : pair.slice(0, cut));
        value = cut < 0 ? "" : decodeURIComponent(pair.slice(cut + 1));
      } catch (err) {
        notes.push(`"${pair}" is not a valid key=value pair; ignored`);
        continue;
      }
      if (!KEYS.includes(key)) {
        notes.push(`unknown key "${key}" ignored (keys: ${KEYS.join(", ")})`);
        continue;
      }
      given[key] = value;
    }
    if ("method" in given) {
      if (C.order.includes(given.method)) next.method = given.method;
      else notes.push(`method "${given.method}" is not one of ${C.order.join(", ")}; ` +
                      `using ${C.defaults.method}`);
    }
    for (const key of KEYS.slice(1)) {
      if (!(key in given)) continue;
      const value = parseValue(key, given[key]);
      if (value === null) {
        notes.push(`${key}=${given[key]} is not ${describe(key)}; using ${C.defaults[key]}`);
      } else {
        next[key] = value;
      }
    }
    const rangeNote = checkRange(next);
    if (rangeNote) {
      notes.push(rangeNote + `; using [${C.defaults.lam_min}, ${C.defaults.lam_max}]`);
      next.lam_min = C.defaults.lam_min;
      next.lam_max = C.defaults.lam_max;
    }
    return { state: next, notes: notes };
  }

  function checkRange(s) {
    if (!(s.lam_min < s.lam_max)) {
      return `lam_min (${s.lam_min}) must be below lam_max (${s.lam_max})`;
    }
    if (s.lam_max / s.lam_min > C.maxCondition) {
      return `lam_max / lam_min must be at most ${C.maxCondition}`;
    }
    return "";
  }

  function toFragment(s) {
    const m = D.methods[s.method];
    const parts = [`method=${s.method}`, `eta=${s.eta}`];
    if (m.momentum) parts.push(`${m.param}=${s[m.param]}`);
    parts.push(`lam_min=${s.lam_min}`, `lam_max=${s.lam_max}`, `steps=${s.steps}`);
    return parts.join("&");
  }

  function showNotes(notes) {
    const el = $("note");
    el.textContent = notes.length ? "Setting adjusted: " + notes.join(". ") + "." : "";
    el.hidden = notes.length === 0;
  }

  // ------------------------------------------------------------------ numbers
  function fmt(x) {
    return Number.isFinite(x) ? x.toPrecision(14) : String(x);
  }

  function geometric(lo, hi, n) {
    const out = [];
    for (let k = 0; k < n; k++) out.push(k === 0 ? lo : k === n - 1 ? hi : lo * Math.pow(hi / lo, k / (n - 1)));
    return out;
  }

  function param(s) {
    const m = D.methods[s.method];
    return m.momentum ? s[m.param] : 0;
  }

  function rateOver(s) {
    const m = D.methods[s.method];
    let best = -Infinity, where = s.lam_min;
    for (const lam of geometric(s.lam_min, s.lam_max, C.rateGrid)) {
      const r = m.radius(s.eta, lam, param(s));
      if (r > best) { best = r; where = lam; }
    }
    return { rate: best, lam: where };
  }

  function regimeAt(eta, lam, beta) {
    for (const [name, holds] of D.regimes) if (holds(eta, lam, beta)) return name;
    return "undecided";
  }

  // iterates of one scalar eigen-component (or coordinate) from x0, state buffers at 0
  function iterate(s, lam, x0) {
    const m = D.methods[s.method];
    let st = m.state.map((name) => (name === "x" ? x0 : 0));
    const xi = m.state.indexOf("x");
    const xs = [x0];
    for (let t = 0; t < s.steps; t++) {
      st = m.step(st, s.eta, lam, param(s));
      xs.push(st[xi]);
    }
    return xs;
  }

  function firstNonFinite(columns) {
    const n = columns[0].length;
    for (let t = 0; t < n; t++) if (columns.some((c) => !Number.isFinite(c[t]))) return t;
    return -1;
  }

  // ------------------------------------------------------------------ drawing
  function frame(canvas) {
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return { ctx, left: 52, right: canvas.width - 12, top: 12, bottom: canvas.height - 38 };
  }

  function axes(f, xlabel, ylabel, xticks, yticks) {
    const { ctx, left, right, top, bottom } = f;
    ctx.strokeStyle = "#333"; ctx.lineWidth = 1;
    ctx.strokeRect(left, top, right - left, bottom - top);
    ctx.fillStyle = "#222"; ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    for (const [px, text] of xticks) ctx.fillText(text, px, bottom + 14);
    ctx.fillText(xlabel, (left + right) / 2, bottom + 30);
    ctx.textAlign = "right";
    for (const [py, text] of yticks) ctx.fillText(text, left - 4, py + 4);
    ctx.save(); ctx.translate(12, (top + bottom) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.fillText(ylabel, 0, 0); ctx.restore();
  }

  function colour(rho) {
    // blue (0) -> white (1) -> red (>= 2); grey where undefined
    if (!Number.isFinite(rho)) return [128, 128, 128];
    const t = Math.max(0, Math.min(rho, 2));
    if (t < 1) return [Math.round(40 + 215 * t), Math.round(90 + 165 * t), 255];
    const w = t - 1;
    return [255, Math.round(255 - 190 * w), Math.round(255 - 215 * w)];
  }

  function ticks(lo, hi, n, toPixel, digits) {
    const out = [];
    for (let k = 0; k <= n; k++) {
      const v = lo + (hi - lo) * k / n;
      out.push([toPixel(v), v.toFixed(digits)]);
    }
    return out;
  }

  function drawPlane(s) {
    const canvas = $("plane");
    const f = frame(canvas);
    const m = D.methods[s.method];
    if (!m.linear) {
      f.ctx.fillStyle = "#444"; f.ctx.font = "13px sans-serif"; f.ctx.textAlign = "center";
      f.ctx.fillText(`${m.label} is not a linear iteration:`, canvas.width / 2, canvas.height / 2 - 10);
      f.ctx.fillText("it has no spectral-radius plane.", canvas.width / 2, canvas.height / 2 + 10);
      return;
    }
    const uMax = Math.max(4.5, 1.1 * s.eta * s.lam_max);
    const bLo = 0, bHi = 1;
    const W = f.right - f.left, H = f.bottom - f.top;
    const px = (u) => f.left + (u / uMax) * W;
    const py = (b) => f.bottom - ((b - bLo) / (bHi - bLo)) * H;
    const image = f.ctx.createImageData(W, H);
    for (let j = 0; j < H; j++) {
      const b = m.momentum ? bHi - (j + 0.5) / H * (bHi - bLo) : 0;
      for (let i = 0; i < W; i++) {
        const u = (i + 0.5) / W * uMax;
        const [r, g, bl] = colour(m.radius(u, 1, b));
        const at = 4 * (j * W + i);
        image.data[at] = r; image.data[at + 1] = g; image.data[at + 2] = bl; image.data[at + 3] = 255;
      }
    }
    f.ctx.putImageData(image, f.left, f.top);
    const styles = { stability: ["#000", 2], critical: ["#E69F00", 2], zero_root: ["#009E73", 1.5] };
    f.ctx.save();
    f.ctx.beginPath(); f.ctx.rect(f.left, f.top, W, H); f.ctx.clip();
    for (const curve of m.curves) {
      const [stroke, width] = styles[curve.kind] || ["#7F3C8D", 1.5];
      f.ctx.strokeStyle = stroke; f.ctx.lineWidth = width;
      f.ctx.beginPath();
      if (curve.vertical) {
        f.ctx.moveTo(px(curve.f(0)), f.top); f.ctx.lineTo(px(curve.f(0)), f.bottom);
      } else {
        let pen = false;
        for (let i = 0; i <= 600; i++) {
          const u = (i / 600) * uMax;
          const b = curve.f(u);
          // a stability curve is drawn only where it separates stable from unstable points
          const delta = 1e-6 * (bHi - bLo);
          const edge = curve.kind !== "stability" ||
            m.stable(u, 1, b + delta) !== m.stable(u, 1, b - delta);
          const ok = Number.isFinite(b) && b >= bLo - 0.05 && b <= bHi + 0.05 && edge;
          if (ok && pen) f.ctx.lineTo(px(u), py(b));
          else if (ok) f.ctx.moveTo(px(u), py(b));
          pen = ok;
        }
      }
      f.ctx.stroke();
    }
    // current setting: the plane abscissa (step size times eigenvalue) over the range
    const b0 = param(s);
    f.ctx.strokeStyle = "#000"; f.ctx.lineWidth = 4;
    f.ctx.beginPath(); f.ctx.moveTo(px(s.eta * s.lam_min), py(b0)); f.ctx.lineTo(px(s.eta * s.lam_max), py(b0));
    f.ctx.stroke();
    f.ctx.fillStyle = "#fff"; f.ctx.strokeStyle = "#000"; f.ctx.lineWidth = 1.5;
    for (const end of [s.lam_min, s.lam_max]) {
      f.ctx.beginPath(); f.ctx.arc(px(s.eta * end), py(b0), 4, 0, 2 * Math.PI); f.ctx.fill(); f.ctx.stroke();
    }
    f.ctx.restore();
    axes(f, "\u03b7\u03bb", "\u03b2", ticks(0, uMax, 5, px, 1), ticks(bLo, bHi, 4, py, 2));
  }

  function drawComponents(s) {
    const f = frame($("components"));
    const lams = geometric(s.lam_min, s.lam_max, C.components);
    const series = lams.map((lam) => iterate(s, lam, 1).map(Math.abs));
    let lo = 0, hi = 0;  // log10 range
    for (const ys of series) for (const y of ys) {
      if (y > 0 && Number.isFinite(y)) { lo = Math.min(lo, Math.log10(y)); hi = Math.max(hi, Math.log10(y)); }
    }
    lo = Math.max(Math.floor(lo), -300); hi = Math.max(Math.ceil(hi), lo + 1);
    const W = f.right - f.left, H = f.bottom - f.top;
    const px = (t) => f.left + (t / s.steps) * W;
    const py = (l) => f.bottom - ((l - lo) / (hi - lo)) * H;
    const palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"];
    f.ctx.save(); f.ctx.beginPath(); f.ctx.rect(f.left, f.top, W, H); f.ctx.clip();
    series.forEach((ys, k) => {
      f.ctx.strokeStyle = palette[k % palette.length]; f.ctx.lineWidth = 1.5;
      f.ctx.beginPath();
      let pen = false;
      ys.forEach((y, t) => {
        const ok = y > 0 && Number.isFinite(y);
        const l = ok ? Math.max(Math.log10(y), lo) : 0;
        if (ok && pen) f.ctx.lineTo(px(t), py(l)); else if (ok) f.ctx.moveTo(px(t), py(l));
        pen = ok;
      });
      f.ctx.stroke();
    });
    f.ctx.restore();
    f.ctx.font = "11px sans-serif"; f.ctx.textAlign = "left";
    lams.forEach((lam, k) => {
      f.ctx.fillStyle = palette[k % palette.length];
      f.ctx.fillText(`\u03bb = ${lam.toPrecision(3)}`, f.right - 90, f.top + 14 + 13 * k);
    });
    const yt = [];
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let l = lo; l <= hi; l += every) yt.push([py(l), `1e${l}`]);
    axes(f, "step t", "|x_t|", ticks(0, s.steps, 4, px, 0), yt);
  }

  function drawTrajectory(s, xs1, xs2) {
    const canvas = $("trajectory");
    const f = frame(canvas);
    const W = f.right - f.left, H = f.bottom - f.top;
    const [x1lo, x1hi, x2lo, x2hi] = [-6, 6, -4, 4];
    const px = (x) => f.left + ((x - x1lo) / (x1hi - x1lo)) * W;
    const py = (y) => f.bottom - ((y - x2lo) / (x2hi - x2lo)) * H;
    const image = f.ctx.createImageData(W, H);
    const top = Math.log(1 + D.objective(x1hi, x2hi, s.lam_min, s.lam_max));
    for (let j = 0; j < H; j++) {
      const y = x2hi - (j + 0.5) / H * (x2hi - x2lo);
      for (let i = 0; i < W; i++) {
        const x = x1lo + (i + 0.5) / W * (x1hi - x1lo);
        const level = Math.log(1 + D.objective(x, y, s.lam_min, s.lam_max)) / top;
        const band = Math.floor(level * 12) % 2 === 0 ? 0 : 12;
        const shade = Math.round(250 - 120 * Math.min(level, 1)) - band;
        const at = 4 * (j * W + i);
        image.data[at] = shade; image.data[at + 1] = shade; image.data[at + 2] = 255; image.data[at + 3] = 255;
      }
    }
    f.ctx.putImageData(image, f.left, f.top);
    f.ctx.save(); f.ctx.beginPath(); f.ctx.rect(f.left, f.top, W, H); f.ctx.clip();
    f.ctx.strokeStyle = "#D55E00"; f.ctx.fillStyle = "#D55E00"; f.ctx.lineWidth = 1.5;
    f.ctx.beginPath();
    let pen = false;
    for (let t = 0; t < xs1.length; t++) {
      const ok = Number.isFinite(xs1[t]) && Number.isFinite(xs2[t]) &&
        Math.abs(xs1[t]) < 1e6 && Math.abs(xs2[t]) < 1e6;
      if (ok && pen) f.ctx.lineTo(px(xs1[t]), py(xs2[t])); else if (ok) f.ctx.moveTo(px(xs1[t]), py(xs2[t]));
      pen = ok;
    }
    f.ctx.stroke();
    for (let t = 0; t < Math.min(xs1.length, 200); t++) {
      if (!Number.isFinite(xs1[t]) || !Number.isFinite(xs2[t])) break;
      f.ctx.beginPath(); f.ctx.arc(px(xs1[t]), py(xs2[t]), 2, 0, 2 * Math.PI); f.ctx.fill();
    }
    f.ctx.restore();
    axes(f, "x1", "x2", ticks(x1lo, x1hi, 6, px, 0), ticks(x2lo, x2hi, 4, py, 0));
  }

  // ------------------------------------------------------------------ page
  function render() {
    const s = state;
    const m = D.methods[s.method];
    if (m.linear) {
      const { rate, lam } = rateOver(s);
      $("rate").textContent = fmt(rate);
      $("regime").textContent = s.method === "momentum"
        ? regimeAt(s.eta, lam, s.beta)
        : "n/a (regimes are derived for heavy-ball momentum)";
      const opt = { eta: m.optimal.eta(s.lam_min, s.lam_max), beta: m.optimal.beta(s.lam_min, s.lam_max),
                    rate: m.optimal.rate(s.lam_min, s.lam_max) };
      $("optimal-eta").textContent = fmt(opt.eta);
      $("optimal-beta").textContent = fmt(opt.beta);
      $("optimal-rate").textContent = fmt(opt.rate);
    } else {
      $("rate").textContent = "n/a (not a linear iteration)";
      $("regime").textContent = "n/a (not a linear iteration)";
      for (const id of ["optimal-eta", "optimal-beta", "optimal-rate"]) $(id).textContent = "n/a";
    }
    $("snap").disabled = !m.linear;
    const xs1 = iterate(s, s.lam_min, C.start[0]);
    const xs2 = iterate(s, s.lam_max, C.start[1]);
    // as run(): a run diverges at the first step whose iterate or loss is not finite
    const loss = xs1.map((x1, t) => D.objective(x1, xs2[t], s.lam_min, s.lam_max));
    const bad = firstNonFinite([xs1, xs2, loss]);
    $("final-error").textContent = bad >= 0
      ? `diverged at step ${bad}`
      : fmt(Math.hypot(xs1[xs1.length - 1], xs2[xs2.length - 1]));
    $("condition").textContent = `condition number \u03bb_max/\u03bb_min = ${(s.lam_max / s.lam_min).toPrecision(6)}`;
    drawPlane(s);
    drawComponents(s);
    drawTrajectory(s, xs1, xs2);
  }

  function syncControls() {
    const s = state;
    const m = D.methods[s.method];
    $("method").value = s.method;
    $("eta").value = String(s.eta);
    $("eta-slider").value = String(Math.log10(s.eta));
    const key = m.param;
    $("beta-label").textContent = key === "gamma" ? "decay \u03b3" : "momentum \u03b2";
    $("beta").value = String(m.momentum ? s[key] : 0);
    $("beta-slider").value = String(m.momentum ? s[key] : 0);
    $("beta").disabled = !m.momentum;
    $("beta-slider").disabled = !m.momentum;
    $("lam-min").value = String(s.lam_min);
    $("lam-min-slider").value = String(Math.log10(s.lam_min));
    $("lam-max").value = String(s.lam_max);
    $("lam-max-slider").value = String(Math.log10(s.lam_max));
    $("steps").value = String(s.steps);
    $("steps-slider").value = String(Math.min(s.steps, 1000));
  }

  function writeFragment() {
    try {
      history.replaceState(null, "", "#" + toFragment(state));
    } catch (err) {
      // an embedded copy (iframe srcdoc) has no address to update
    }
  }

  function update(key, value, notes) {
    const next = Object.assign({}, state);
    if (key === "method") {
      next.method = value;
    } else {
      const parsed = parseValue(key, String(value));
      if (parsed === null) {
        showNotes([`${key}=${value} is not ${describe(key)}; kept ${state[key]}`]);
        syncControls();
        return;
      }
      next[key] = parsed;
    }
    const rangeNote = checkRange(next);
    if (rangeNote) {
      showNotes([rangeNote + "; kept the previous range"]);
      syncControls();
      return;
    }
    state = next;
    showNotes(notes || []);
    syncControls();
    writeFragment();
    render();
  }

  function fromLog(slider) {
    return Number(Math.pow(10, Number(slider.value)).toPrecision(6));
  }

  function wire() {
    const select = $("method");
    for (const name of C.order) {
      const option = document.createElement("option");
      option.value = name; option.textContent = `${name} (${D.methods[name].label})`;
      select.appendChild(option);
    }
    select.addEventListener("change", () => update("method", select.value));
    const betaKey = () => D.methods[state.method].param;
    $("eta").addEventListener("change", () => update("eta", $("eta").value));
    $("eta-slider").addEventListener("input", () => update("eta", fromLog($("eta-slider"))));
    $("beta").addEventListener("change", () => update(betaKey(), $("beta").value));
    $("beta-slider").addEventListener("input", () => update(betaKey(), $("beta-slider").value));
    $("lam-min").addEventListener("change", () => update("lam_min", $("lam-min").value));
    $("lam-min-slider").addEventListener("input", () => update("lam_min", fromLog($("lam-min-slider"))));
    $("lam-max").addEventListener("change", () => update("lam_max", $("lam-max").value));
    $("lam-max-slider").addEventListener("input", () => update("lam_max", fromLog($("lam-max-slider"))));
    $("steps").addEventListener("change", () => update("steps", $("steps").value));
    $("steps-slider").addEventListener("input", () => update("steps", $("steps-slider").value));
    $("snap").addEventListener("click", () => {
      const m = D.methods[state.method];
      if (!m.linear) return;
      const next = Object.assign({}, state, {
        eta: m.optimal.eta(state.lam_min, state.lam_max),
      });
      if (m.momentum) next.beta = m.optimal.beta(state.lam_min, state.lam_max);
      state = next;
      showNotes([]);
      syncControls();
      writeFragment();
      render();
    });
    window.addEventListener("hashchange", load);
  }

  function load() {
    const hash = window.location.hash && window.location.hash.length > 1
      ? window.location.hash : window.OPTHEORY_INITIAL || "";
    const parsed = fromFragment(hash);
    state = parsed.state;
    showNotes(parsed.notes);
    syncControls();
    // the address then names the setting shown, not the rejected one
    if (parsed.notes.length) writeFragment();
    render();
  }

  function showSource() {
    const el = $("derived-source");
    if (el) el.textContent = document.scripts[document.scripts.length - 2].textContent.trim();
  }

  wire();
  load();
  showSource();
})();

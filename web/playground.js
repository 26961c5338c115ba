// Marionette playground: one hand-written ES module, no framework, no build step.
// It speaks only the public API (docs/PLAYGROUND.md); the checks below mirror src/media/limits.ts
// word for word so a person sees the server's message before uploading anything.

const MB = 1024 * 1024;
export const LIMITS = { maxBytes: 10 * MB, maxPixels: 50_000_000, minSide: 300, maxAspect: 2.5, minSeconds: 3, maxSeconds: { image: 10, video: 30 }, maxChars: 2500 };
const CREATE_PATH = '/v3/async/kling-v2.6-pro-motion-control';
const RESULT_PATH = '/v3/async/task-result';
const EVENTS_PATH = '/v3/async/task-events';
const CANCEL_PATH = '/v3/async/task-cancel';
const LIST_PATH = '/v3/async/tasks';
const POLL_MS = 1000;
/** Driving videos kept in IndexedDB, so a reopened task plays side by side after a reload. */
const DRIVING_DB = 'marionette';
const DRIVING_KEEP = 6;
const KEY_STORE = 'marionette.apiKey';
const TASKS_STORE = 'marionette.tasks';
const MAX_TASKS = 20;

// ---- pure checks (also imported by the tests in Node) ----

/** 'image/jpeg' | 'image/png' | null, from the file's first bytes. */
export function sniffImage(b) {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((v, i) => b[i] === v)) return 'image/png';
  return null;
}

const ascii = (b, from, to) => (b.length >= to ? String.fromCharCode(...b.subarray(from, to)) : '');
/** Boxes an old QuickTime file may start with instead of ftyp. */
const QUICKTIME_FIRST_BOXES = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];

/** 'video/mp4' | 'video/quicktime' | null: an ISO BMFF file starts with an ftyp box. */
export function sniffVideo(b) {
  const box = ascii(b, 4, 8);
  if (box === 'ftyp') return ascii(b, 8, 12) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  return QUICKTIME_FIRST_BOXES.includes(box) ? 'video/quicktime' : null;
}

/** HEIF/AVIF stills are ISO BMFF too, but not videos. */
const IMAGE_BRANDS = ['heic', 'heix', 'heim', 'heis', 'mif1', 'avif'];
const isText = (b) => b.length > 0 && b.every((x) => (x >= 0x20 && x !== 0x7f) || [9, 10, 12, 13, 27].includes(x));

/** What a file is, in the words of src/media/sniff.ts (describeFormat), from its first 64 bytes. */
export function describeFile(b) {
  const image = sniffImage(b);
  if (image) return image === 'image/png' ? 'a PNG image' : 'a JPEG image';
  if (sniffVideo(b)) return 'an MP4/MOV file';
  const riff = ascii(b, 0, 4) === 'RIFF' ? ascii(b, 8, 12) : '';
  if (riff === 'AVI ') return 'an AVI file';
  if (riff === 'WEBP') return 'a WebP image';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'a Matroska/WebM file';
  if (/^GIF8[79]a/.test(ascii(b, 0, 6))) return 'a GIF image';
  if (ascii(b, 0, 2) === 'BM' && b.length >= 14 && !b[6] && !b[7] && !b[8] && !b[9]) return 'a BMP image';
  return isText(b) ? 'a text file' : 'not a recognised file format';
}

/** As src/media/limits.ts formats sizes: MB of 1024 × 1024 bytes. */
const megabytes = (n) => {
  const mb = n / MB;
  return Number.isInteger(mb) ? `${mb} MB` : `${mb >= 10 ? mb.toFixed(1) : mb.toFixed(2)} MB`;
};

export const MESSAGES = {
  format: (kind, what) => (kind === 'image' ? `image is ${what}; only JPEG or PNG is accepted` : `video is ${what}; only MP4 or MOV (ISO BMFF) is accepted`),
  still: (brand) => `video is a HEIF/AVIF still image (brand "${brand}"); only MP4 or MOV video is accepted`,
  bytes: (kind, n) => `${kind} is ${megabytes(n)} (${n} bytes); the limit is 10 MB (${LIMITS.maxBytes} bytes)`,
  pixels: (w, h) => `image is ${w}x${h} px (${((w * h) / 1e6).toFixed(1)} megapixels); the limit is ${LIMITS.maxPixels / 1e6} megapixels`,
  side: (kind, w, h) => `${kind} is ${w}x${h} px; width and height must each be at least ${LIMITS.minSide} px`,
  aspect: (kind, w, h) => `${kind} is ${w}x${h} px, aspect ratio ${(w / h).toFixed(2)} (width/height); it must be between 1:2.5 (0.4) and 2.5:1 (2.5)`,
  duration: (s, o) => `video lasts ${s.toFixed(1)} s; with character_orientation=${o} it must last ${LIMITS.minSeconds} to ${LIMITS.maxSeconds[o]} s`,
  chars: (field, n) => `${field} is ${n} characters; at most ${LIMITS.maxChars} are allowed`,
};

/** The first limit a file breaks, in the server's order and words, or '' when it passes. */
export function checkMedia(kind, { head, bytes, width, height, seconds }, orientation) {
  if (bytes > LIMITS.maxBytes) return MESSAGES.bytes(kind, bytes);
  if (bytes === 0) return MESSAGES.format(kind, 'an empty file');
  if (!(kind === 'image' ? sniffImage : sniffVideo)(head)) return MESSAGES.format(kind, describeFile(head));
  const brand = ascii(head, 4, 8) === 'ftyp' ? ascii(head, 8, 12).trim() : '';
  if (kind === 'video' && IMAGE_BRANDS.includes(brand)) return MESSAGES.still(brand);
  if (width === undefined || height === undefined) return '';
  if (kind === 'image' && width * height > LIMITS.maxPixels) return MESSAGES.pixels(width, height);
  if (width < LIMITS.minSide || height < LIMITS.minSide) return MESSAGES.side(kind, width, height);
  // Products, so exactly 2.5:1 passes without float error.
  if (width > LIMITS.maxAspect * height || height > LIMITS.maxAspect * width) return MESSAGES.aspect(kind, width, height);
  // Judged at 0.1 s, the precision the message shows (a 30.02 s container is a 30 s clip).
  const shown = seconds === undefined ? undefined : Math.round(seconds * 10) / 10;
  if (kind === 'video' && shown !== undefined && !(shown >= LIMITS.minSeconds && shown <= LIMITS.maxSeconds[orientation])) {
    return MESSAGES.duration(shown, orientation);
  }
  return '';
}

/** Which field a failure concerns: metadata.field at submit, else the reason code's prefix. */
export function fieldOf(reason, field) {
  if (field) return field;
  if (/^(INVALID_)?IMAGE_/.test(reason)) return 'image';
  if (/^(INVALID_)?VIDEO_/.test(reason)) return 'video';
  if (reason === 'INVALID_API_KEY') return 'api-key';
  return '';
}

/** "CODE: words" (a failed task's reason) → { code, text }. */
export function splitReason(reason) {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(reason ?? '');
  return m ? { code: m[1], text: m[2] } : { code: '', text: reason || 'the task failed' };
}

export function etaText(status, percent, eta, queuePosition) {
  if (status === 'TASK_STATUS_SUCCEED') return 'Done · 100%';
  if (status === 'TASK_STATUS_FAILED') return 'Failed';
  if (status === 'TASK_STATUS_QUEUED') {
    const ahead = queuePosition > 0 ? ` · ${queuePosition} ahead` : '';
    return `Queued${ahead}${eta > 0 ? ` · about ${eta >= 60 ? `${Math.floor(eta / 60)} min ${Math.round(eta % 60)} s` : `${Math.round(eta)} s`}` : ''}`;
  }
  if (!(eta > 0)) return `${percent}%`;
  const left = eta >= 60 ? `${Math.floor(eta / 60)} min ${Math.round(eta % 60)} s` : `${Math.round(eta)} s`;
  return `${percent}% · about ${left} left`;
}

// ---- the page ----

const $ = (id) => document.getElementById(id);
const media = { image: null, video: null }; // { file, mime, width, height, seconds, ready }
const drivingUrls = new Map(); // task id → object URL of the video sent (kept while the page is open)
let current = ''; // the task shown in #run
let pollTimer = 0;

const FRIENDLY = {
  INVALID_API_KEY: 'This API key is not known to this server: paste a key it issued.',
  RATE_LIMIT_EXCEEDED: 'Too many requests with this key right now: wait a moment and try again.',
  TASK_NOT_FOUND: 'This task is not known to this server under the current key.',
};

const orientation = () => document.querySelector('input[name=character_orientation]:checked').value;
const apiKey = () => $('api-key').value.trim();
const headers = () => ({ Authorization: `Bearer ${apiKey()}` });

function inputFor(field) {
  return { 'api-key': $('api-key'), image: $('image-input'), video: $('video-input'), prompt: $('prompt'), negative_prompt: $('negative-prompt') }[field];
}

function setError(field, text) {
  const box = $(`${field}-error`) ? field : 'form';
  $(`${box}-error`).textContent = text;
  inputFor(field)?.setAttribute('aria-invalid', String(Boolean(text)));
}

function clearErrors() {
  for (const f of ['api-key', 'image', 'video', 'character_orientation', 'prompt', 'negative_prompt', 'form']) setError(f, '');
}

function showApiError(body, status) {
  const reason = body?.reason ?? '';
  const text = FRIENDLY[reason] ?? body?.message ?? `The server answered ${status}.`;
  setError(fieldOf(reason, body?.metadata?.field) || 'form', text);
}

// ---- driving videos, kept in IndexedDB by task id ----

function drivingDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DRIVING_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('driving');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function keepDriving(id, file) {
  try {
    const db = await drivingDb();
    const tx = db.transaction('driving', 'readwrite');
    const store = tx.objectStore('driving');
    store.put({ file, at: Date.now() }, id);
    const all = store.getAllKeys();
    all.onsuccess = () => {
      // The newest few only: each may be 10 MB.
      const keep = new Set(loadTasks().slice(0, DRIVING_KEEP).map((t) => t.id).concat(id));
      for (const k of all.result) if (!keep.has(k)) store.delete(k);
    };
    await new Promise((resolve) => { tx.oncomplete = tx.onerror = tx.onabort = resolve; });
    db.close();
  } catch { /* no IndexedDB (private mode): the result plays alone after a reload */ }
}

async function drivingFor(id) {
  if (drivingUrls.has(id)) return drivingUrls.get(id);
  try {
    const db = await drivingDb();
    const row = await new Promise((resolve) => {
      const req = db.transaction('driving').objectStore('driving').get(id);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
    });
    db.close();
    if (!row?.file) return undefined;
    const url = URL.createObjectURL(row.file);
    drivingUrls.set(id, url);
    return url;
  } catch { return undefined; }
}

/** The key's latest tasks from the server, merged with what this browser keeps (thumbnails). */
async function refreshTasks() {
  if (!apiKey()) return;
  let body;
  try {
    const res = await fetch(`${LIST_PATH}?limit=${MAX_TASKS}`, { headers: headers() });
    if (!res.ok) return;
    body = await res.json();
  } catch { return; }
  const local = new Map(loadTasks().map((t) => [t.id, t]));
  const tasks = body.tasks.map((r) => {
    const t = r.task;
    const mine = local.get(t.task_id) ?? {};
    return {
      ...mine, id: t.task_id, created: Number(r.extra.debug_info.submit_time_ms) || mine.created || Date.now(),
      status: t.status, progress: t.progress_percent, reason: t.status === 'TASK_STATUS_FAILED' ? splitReason(t.reason).text : undefined,
    };
  });
  saveTasks(tasks);
}

function saveTasks(tasks) {
  try { localStorage.setItem(TASKS_STORE, JSON.stringify(tasks.slice(0, MAX_TASKS))); } catch { /* storage full: the list is a convenience */ }
  renderTasks();
}

function loadTasks() {
  try { return JSON.parse(localStorage.getItem(TASKS_STORE) ?? '[]'); } catch { return []; }
}

function updateTask(id, patch) {
  const tasks = loadTasks();
  const i = tasks.findIndex((t) => t.id === id);
  if (i < 0) tasks.unshift({ id, created: Date.now(), ...patch }); else Object.assign(tasks[i], patch);
  saveTasks(tasks);
}

const STATUS_WORDS = { TASK_STATUS_QUEUED: 'Queued', TASK_STATUS_PROCESSING: 'Processing', TASK_STATUS_SUCCEED: 'Done', TASK_STATUS_FAILED: 'Failed', NOT_FOUND: 'Not found' };

function renderTasks() {
  const tasks = loadTasks();
  $('recent-empty').hidden = tasks.length > 0;
  $('recent-list').replaceChildren(...tasks.map((t) => {
    const li = document.createElement('li');
    li.dataset.task = t.id;
    const img = document.createElement('img');
    img.className = 'thumb';
    img.alt = t.thumb ? 'First frame of the result' : '';
    if (t.thumb) img.src = t.thumb;
    const meta = document.createElement('div');
    meta.className = 'recent-meta';
    const when = new Date(t.created).toLocaleString();
    const progress = t.status === 'TASK_STATUS_PROCESSING' ? ` ${t.progress ?? 0}%` : '';
    meta.innerHTML = '<div class="status"></div><div class="when help"></div><div class="id"></div><div class="why"></div>';
    meta.children[0].textContent = (STATUS_WORDS[t.status] ?? t.status) + progress;
    meta.children[1].textContent = when;
    meta.children[2].textContent = t.id;
    meta.children[3].textContent = t.reason ?? '';
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'secondary';
    open.textContent = 'Open';
    open.setAttribute('aria-label', `Open the task from ${when}`);
    open.addEventListener('click', () => openTask(t.id));
    li.append(img, meta, open);
    return li;
  }));
}

const sizeText = (n) => (n < MB ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / MB).toFixed(1)} MB`);

const TEXT_FIELDS = [['prompt', 'prompt'], ['negative-prompt', 'negative_prompt']];

function checkText(id, field) {
  const n = [...$(id).value].length; // the server counts code points
  $(`${id}-count`).textContent = `${n} / ${LIMITS.maxChars}`;
  $(`${id}-count`).classList.toggle('over', n > LIMITS.maxChars);
  setError(field, n > LIMITS.maxChars ? MESSAGES.chars(field, n) : '');
}

async function readHead(file) {
  return new Uint8Array(await file.slice(0, 64).arrayBuffer());
}

/** Dimensions and duration from the preview element's metadata; undefined where the browser cannot tell. */
function videoMeta(el, url) {
  return new Promise((resolve) => {
    const done = (m) => { el.onloadedmetadata = el.onerror = null; resolve(m); };
    el.onloadedmetadata = () => done({ width: el.videoWidth || undefined, height: el.videoHeight || undefined, seconds: Number.isFinite(el.duration) ? el.duration : undefined });
    el.onerror = () => done({});
    el.src = url;
  });
}

async function imageMeta(file) {
  try {
    const bmp = await createImageBitmap(file);
    const m = { width: bmp.width, height: bmp.height };
    bmp.close();
    return m;
  } catch { return {}; }
}

function recheck(kind) {
  const m = media[kind];
  if (!m) return;
  const problem = checkMedia(kind, m, orientation());
  setError(kind, problem);
  // A codec this browser cannot decode hides size and duration; the server still judges them.
  const help = $(`${kind}-help`);
  help.dataset.text ??= help.textContent;
  const blind = m.mime && m.width === undefined && !problem;
  help.textContent = blind ? `${help.dataset.text} This browser cannot read this file's size or length; the server will check them.` : help.dataset.text;
}

async function choose(kind, file) {
  const preview = $(`${kind}-preview`);
  if (preview.src.startsWith('blob:')) URL.revokeObjectURL(preview.src); // a sent video has its own URL
  const url = URL.createObjectURL(file);
  const entry = { file, head: new Uint8Array(0), mime: null, bytes: file.size };
  media[kind] = entry;
  entry.ready = (async () => {
    entry.head = await readHead(file);
    entry.mime = (kind === 'image' ? sniffImage : sniffVideo)(entry.head);
    Object.assign(entry, kind === 'image' ? await imageMeta(file) : await videoMeta(preview, url));
    if (kind === 'image') preview.src = url;
    preview.hidden = false;
    $(`${kind}-drop-text`).textContent = `${file.name} · ${sizeText(file.size)} — choose another`;
    if (media[kind] === entry) recheck(kind);
  })();
  await entry.ready;
}

function wireDrop(kind) {
  const input = $(`${kind}-input`);
  const zone = $(`${kind}-drop`);
  input.addEventListener('change', () => { if (input.files[0]) void choose(kind, input.files[0]); });
  // Space opens a file input natively; Enter should too, as on any button.
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); input.click(); } });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void choose(kind, file);
  });
}

function dataUri(file, mime) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(`data:${mime};base64,${String(reader.result).split(',', 2)[1] ?? ''}`);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  await Promise.all([media.image?.ready, media.video?.ready]);
  if (!apiKey()) setError('api-key', 'Paste your API key.');
  for (const kind of ['image', 'video']) {
    if (!media[kind]) setError(kind, `Choose a reference ${kind}.`);
    else setError(kind, checkMedia(kind, media[kind], orientation()));
  }
  for (const [id, field] of TEXT_FIELDS) checkText(id, field);
  const invalid = document.querySelector('#create [aria-invalid=true]');
  if (invalid) { invalid.focus(); return; }
  const button = $('submit');
  button.disabled = true;
  button.textContent = 'Uploading…';
  try {
    const body = {
      image: await dataUri(media.image.file, media.image.mime),
      video: await dataUri(media.video.file, media.video.mime),
      character_orientation: orientation(),
      keep_original_sound: $('keep-sound').checked,
    };
    if ($('prompt').value) body.prompt = $('prompt').value;
    if ($('negative-prompt').value) body.negative_prompt = $('negative-prompt').value;
    const res = await fetch(CREATE_PATH, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok || !json.task_id) { showApiError(json, res.status); return; }
    drivingUrls.set(json.task_id, URL.createObjectURL(media.video.file));
    updateTask(json.task_id, { status: 'TASK_STATUS_QUEUED', progress: 0 });
    void keepDriving(json.task_id, media.video.file);
    openTask(json.task_id);
  } catch {
    setError('form', 'Could not reach the server; check the connection and try again.');
  } finally {
    button.disabled = false;
    button.textContent = 'Animate';
  }
}

let announced = '';

function say(text, failed = false) {
  $('progress-text').textContent = text;
  $('progress-text').classList.toggle('failed', failed);
  $('run-status').textContent = text;
  announced = '';
}

function showProgress(status, percent, eta, queuePosition) {
  $('progress').value = percent;
  $('progress-text').textContent = etaText(status, percent, eta, queuePosition);
  $('progress-text').classList.remove('failed');
  $('cancel').hidden = !(status === 'TASK_STATUS_QUEUED' || status === 'TASK_STATUS_PROCESSING');
  // Screen readers hear each status and every tenth percent, not a number every second.
  const step = `${status} ${Math.floor(percent / 10)}`;
  if (step !== announced) { announced = step; $('run-status').textContent = etaText(status, percent, eta, queuePosition); }
}

function openTask(id) {
  clearTimeout(pollTimer);
  stream?.abort();
  out().pause();
  current = id;
  $('run').hidden = false;
  $('result').hidden = true;
  $('run-task').textContent = id;
  const known = loadTasks().find((t) => t.id === id);
  showProgress(known?.status ?? 'TASK_STATUS_QUEUED', known?.progress ?? 0, 0);
  $('run').scrollIntoView({ block: 'nearest' });
  void follow(id);
}

let stream = null; // AbortController of the event stream being read

/** Follows the task on its event stream (fetch, so the key goes in a header); falls back to polling. */
async function follow(id) {
  const controller = new AbortController();
  stream = controller;
  let ended = false;
  try {
    const res = await fetch(`${EVENTS_PATH}?task_id=${encodeURIComponent(id)}`, { headers: headers(), signal: controller.signal });
    if (!res.ok || !res.body) return void poll(id);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data && id === current) ended = handleResult(id, JSON.parse(data)) || ended;
      }
    }
  } catch {
    if (controller.signal.aborted) return;
  }
  if (stream === controller) stream = null;
  // The stream ends after the final state; anything else (a proxy, a restart) goes on by polling.
  if (!ended && id === current) void poll(id);
}

/** Shows one task-result body; true when the task has ended. */
function handleResult(id, body) {
  const t = body.task;
  showProgress(t.status, t.progress_percent, t.eta, body.extra?.queue_position);
  updateTask(id, { status: t.status, progress: t.progress_percent, reason: t.status === 'TASK_STATUS_FAILED' ? splitReason(t.reason).text : undefined });
  if (t.status === 'TASK_STATUS_SUCCEED') { void showResult(id, body.videos[0].video_url); return true; }
  if (t.status === 'TASK_STATUS_FAILED') {
    const { code, text } = splitReason(t.reason);
    if (code === 'TASK_CANCELED') { say('Cancelled', true); return true; }
    say(`Failed: ${text}`, true);
    setError(fieldOf(code) || 'form', text);
    return true;
  }
  return false;
}

async function cancelCurrent() {
  const id = current;
  if (!id) return;
  $('cancel').disabled = true;
  try {
    const res = await fetch(CANCEL_PATH, { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' }, body: JSON.stringify({ task_id: id }) });
    const body = await res.json().catch(() => ({}));
    if (res.ok) handleResult(id, body);
    else if (body.reason !== 'TASK_ALREADY_ENDED') say(FRIENDLY[body.reason] ?? body.message ?? `The server answered ${res.status}.`, true);
  } catch {
    say('Could not reach the server to cancel; try again.', true);
  } finally {
    $('cancel').disabled = false;
  }
}

async function poll(id) {
  if (id !== current) return;
  const again = () => { if (id === current) pollTimer = setTimeout(() => void poll(id), POLL_MS); };
  let res;
  let body;
  try {
    res = await fetch(`${RESULT_PATH}?task_id=${encodeURIComponent(id)}`, { headers: headers() });
    body = await res.json();
  } catch {
    say('Lost contact with the server; trying again…');
    return again();
  }
  if (id !== current) return;
  if (!res.ok) {
    if (res.status === 404) updateTask(id, { status: 'NOT_FOUND' });
    if (res.status >= 500 || res.status === 429) return again(); // passing troubles: keep polling
    say(FRIENDLY[body.reason] ?? body.message ?? `The server answered ${res.status}.`, true);
    return showApiError(body, res.status);
  }
  if (!handleResult(id, body)) again();
}

// ---- result: the output beside the driving video, one play/pause and one scrubber for both ----

const out = () => $('output-video');
const drv = () => $('driving-video');
const hasDriving = () => !$('driving-figure').hidden;

async function showResult(id, url) {
  const driving = await drivingFor(id);
  if (id !== current) return;
  $('driving-figure').hidden = !driving;
  $('driving-missing').hidden = Boolean(driving);
  $('pair').classList.toggle('single', !driving);
  if (driving) drv().src = driving; else drv().removeAttribute('src');
  out().src = url;
  $('download').href = url;
  $('download').download = `marionette-${id.slice(0, 8)}.mp4`;
  $('result').hidden = false;
  out().addEventListener('loadeddata', () => captureThumb(id), { once: true });
}

function captureThumb(id) {
  const v = out();
  if (id !== current || !v.videoWidth || loadTasks().find((t) => t.id === id)?.thumb) return;
  const canvas = document.createElement('canvas');
  canvas.width = 96;
  canvas.height = Math.round((96 * v.videoHeight) / v.videoWidth);
  canvas.getContext('2d').drawImage(v, 0, 0, canvas.width, canvas.height);
  try { updateTask(id, { thumb: canvas.toDataURL('image/jpeg', 0.7) }); } catch { /* a cross-origin result taints the canvas: no thumbnail */ }
}

function syncTick() {
  const v = out();
  $('scrub').value = String(v.currentTime);
  $('time').textContent = `${v.currentTime.toFixed(1)} / ${(v.duration || 0).toFixed(1)} s`;
  if (hasDriving() && Math.abs(drv().currentTime - v.currentTime) > 0.1) drv().currentTime = v.currentTime;
  if (!v.paused) requestAnimationFrame(syncTick);
}

function wirePlayer() {
  const play = $('play');
  play.addEventListener('click', () => {
    if (out().paused) {
      if (hasDriving()) { drv().currentTime = out().currentTime; drv().play().catch(() => {}); }
      out().play().catch(() => {});
    } else {
      out().pause();
      drv().pause();
    }
  });
  out().addEventListener('play', () => { play.textContent = 'Pause'; play.setAttribute('aria-label', 'Pause'); syncTick(); });
  out().addEventListener('pause', () => { play.textContent = 'Play'; play.setAttribute('aria-label', 'Play'); drv().pause(); syncTick(); });
  out().addEventListener('loadedmetadata', () => { $('scrub').max = String(out().duration); syncTick(); });
  out().addEventListener('seeked', syncTick);
  $('scrub').addEventListener('input', () => {
    const t = Number($('scrub').value);
    out().currentTime = t;
    if (hasDriving()) drv().currentTime = t;
  });
}

function start() {
  $('api-key').value = localStorage.getItem(KEY_STORE) ?? '';
  let keyTimer = 0;
  $('api-key').addEventListener('input', () => {
    localStorage.setItem(KEY_STORE, apiKey());
    setError('api-key', '');
    clearTimeout(keyTimer);
    keyTimer = setTimeout(() => void refreshTasks(), 400);
  });
  $('cancel').addEventListener('click', () => void cancelCurrent());
  wireDrop('image');
  wireDrop('video');
  for (const radio of document.querySelectorAll('input[name=character_orientation]')) radio.addEventListener('change', () => recheck('video'));
  for (const [id, field] of TEXT_FIELDS) $(id).addEventListener('input', () => checkText(id, field));
  // A file dropped next to a zone must not navigate away from the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  $('create').addEventListener('submit', (e) => void submit(e));
  wirePlayer();
  renderTasks();
  void refreshTasks();
}

if (typeof document !== 'undefined') start();

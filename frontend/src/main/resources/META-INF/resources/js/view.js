// Rendering of analysis results: face boxes on the overlay, probability bars, the mood and its timeline.
import { COLORS, EMOTIONS, describeDuration, percent } from './emotions.js';

export function drawOverlay(canvas, result) {
  const frame = result?.frame;
  const ctx = canvas.getContext('2d');
  if (!frame) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  if (canvas.width !== frame.width || canvas.height !== frame.height) {
    canvas.width = frame.width;
    canvas.height = frame.height;
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const line = Math.max(2, Math.round(frame.width / 240));
  const font = Math.max(14, Math.round(frame.width / 32));
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  for (const face of result.faces || []) {
    const { x, y, width, height } = face.box;
    const color = COLORS[face.emotion] || '#ffffff';
    ctx.lineWidth = line;
    ctx.strokeStyle = color;
    ctx.strokeRect(x, y, width, height);
    const label = face.emotion ? `${face.emotion} ${percent(face.confidence)}` : 'face';
    const textWidth = ctx.measureText(label).width + 10;
    const labelTop = y - font - 8 >= 0 ? y - font - 8 : y + height;
    ctx.fillStyle = color;
    ctx.fillRect(x - line / 2, labelTop, textWidth, font + 8);
    ctx.fillStyle = face.emotion === 'happy' ? '#111111' : '#ffffff';
    ctx.fillText(label, x + 5 - line / 2, labelTop + font + 5);
  }
}

export function renderFaces(container, summary, result) {
  const faces = result?.faces || [];
  summary.textContent = faces.length === 0
    ? 'No face found in the last frame.'
    : `${faces.length} face${faces.length === 1 ? '' : 's'}: ${faces.map((f) => f.emotion ? `${f.emotion} (${percent(f.confidence)})` : 'unclassified').join(', ')}.`;
  container.replaceChildren(...faces.map((face, index) => faceCard(face, index)));
}

function faceCard(face, index) {
  const card = document.createElement('article');
  card.className = 'face-card';
  const title = document.createElement('h3');
  title.className = 'face-label';
  title.textContent = `Face ${face.trackId ?? index + 1}: ${face.emotion ?? 'unclassified'} ${face.emotion ? percent(face.confidence) : ''}`;
  card.append(title);
  const list = document.createElement('ul');
  list.className = 'bars';
  for (const emotion of EMOTIONS) {
    const value = face.probabilities?.[emotion] ?? 0;
    const row = document.createElement('li');
    row.className = 'bar';
    const name = document.createElement('span');
    name.textContent = emotion;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = `bar-fill fill-${emotion}`;
    fill.style.width = percent(value); // CSSOM, allowed by the page's style-src 'self'
    track.append(fill);
    const number = document.createElement('span');
    number.className = 'bar-value';
    number.textContent = percent(value);
    row.append(name, track, number);
    list.append(row);
  }
  card.append(list);
  return card;
}

/** Keeps the mood history and draws it as coloured segments over the last few minutes. */
export class MoodTimeline {
  constructor(canvas, text, minutes = 5) {
    this.canvas = canvas;
    this.text = text;
    this.windowMs = minutes * 60 * 1000;
    this.samples = []; // {t, emotion|null}
  }

  add(emotion, t = Date.now()) {
    this.samples.push({ t, emotion: emotion ?? null });
    const oldest = t - this.windowMs;
    while (this.samples.length > 1 && this.samples[1].t < oldest) this.samples.shift();
  }

  segments(now = Date.now()) {
    const start = now - this.windowMs;
    const result = [];
    this.samples.forEach((sample, i) => {
      const from = Math.max(sample.t, start);
      const to = i + 1 < this.samples.length ? this.samples[i + 1].t : now;
      if (to > from && sample.emotion) {
        const last = result[result.length - 1];
        if (last && last.emotion === sample.emotion && last.to === from) last.to = to;
        else result.push({ emotion: sample.emotion, from, to });
      }
    });
    return result;
  }

  draw(now = Date.now()) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio)) || this.canvas.width;
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio)) || this.canvas.height;
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const start = now - this.windowMs;
    const bandTop = 6 * ratio;
    const bandHeight = height - 26 * ratio;
    const totals = {};
    for (const segment of this.segments(now)) {
      const x0 = ((segment.from - start) / this.windowMs) * width;
      const x1 = ((segment.to - start) / this.windowMs) * width;
      ctx.fillStyle = COLORS[segment.emotion];
      ctx.fillRect(x0, bandTop, Math.max(1, x1 - x0), bandHeight);
      totals[segment.emotion] = (totals[segment.emotion] || 0) + (segment.to - segment.from);
    }
    ctx.fillStyle = '#4a5060';
    ctx.font = `${12 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    const minutes = Math.round(this.windowMs / 60000);
    for (let m = 0; m <= minutes; m += 1) {
      const x = (m / minutes) * width;
      ctx.fillRect(Math.min(width - 1, x), height - 18 * ratio, 1, 4 * ratio);
      const label = m === minutes ? 'now' : `-${minutes - m} min`;
      ctx.textAlign = m === 0 ? 'left' : m === minutes ? 'right' : 'center';
      ctx.fillText(label, x, height);
    }
    const parts = Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([e, ms]) => `${e} ${describeDuration(ms)}`);
    this.text.textContent = parts.length ? `Mood over the last ${minutes} minutes: ${parts.join(', ')}.` : 'No mood yet.';
  }
}

export function renderLegend(list) {
  list.replaceChildren(...EMOTIONS.map((emotion) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch fill-${emotion}`;
    item.append(swatch, emotion);
    return item;
  }));
}

export function renderMood(element, detail, mood, now = Date.now()) {
  if (!mood?.emotion) {
    if (element.dataset.emotion) {
      element.textContent = 'Not settled yet';
      delete element.dataset.emotion;
    }
    detail.textContent = 'The mood settles after a few seconds of the same expression.';
    return;
  }
  if (element.dataset.emotion !== mood.emotion) {
    element.dataset.emotion = mood.emotion; // changing the text announces it (aria-live)
    element.textContent = mood.emotion;
  }
  const since = mood.since ? Date.parse(mood.since) : null;
  const held = since ? ` for ${describeDuration(now - since)}` : '';
  const confidence = typeof mood.confidence === 'number' ? ` (confidence ${percent(mood.confidence)})` : '';
  detail.textContent = `Held${held}${confidence}.`;
}

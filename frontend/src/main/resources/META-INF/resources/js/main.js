// The dashboard: wires the inputs (camera, photo, server-side source) to the views.
import { newSessionId, postImage, postJson } from './api.js';
import { CameraStream, cameraErrorMessage, framesPerSecond } from './camera.js';
import { MoodTimeline, drawOverlay, renderFaces, renderLegend, renderMood } from './view.js';
import { ListenerPanel } from './listener.js';
import { Playlist } from './playlist.js';
import { watchServices } from './status.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const ui = {
  start: $('start-camera'), stop: $('stop'), fps: $('fps'), photo: $('photo'), sourceForm: $('source-form'),
  sourceUrl: $('source-url'), message: $('message'), video: $('video'), still: $('still'), overlay: $('overlay'),
  stageEmpty: $('stage-empty'), faces: $('faces'), facesSummary: $('faces-summary'), mood: $('mood-emotion'),
  moodDetail: $('mood-detail'), timeline: $('timeline'), timelineText: $('timeline-text'), legend: $('legend'),
  tracks: $('tracks'), playlistStatus: $('playlist-status'), playlistFor: $('playlist-for'),
  statFps: $('stat-fps'), statLatency: $('stat-latency'), statSent: $('stat-sent'), statDropped: $('stat-dropped'),
};

const state = { stream: null, events: null, sourceId: null, mood: null, sessionId: newSessionId() };
const timeline = new MoodTimeline(ui.timeline, ui.timelineText, Number(params.get('minutes')) || 5);
const listener = new ListenerPanel({
  id: $('listener-id'), consent: $('history-consent'), retention: $('retention-days'), history: $('history'),
  moodDays: $('mood-days'), liked: $('liked-tracks'), forget: $('forget-me'), status: $('listener-status'),
  onForgotten: () => playlist.reload(),
});
const playlist = new Playlist({
  list: ui.tracks, status: ui.playlistStatus, heading: ui.playlistFor, sessionId: state.sessionId,
  onFeedback: () => listener.refresh(),
});
listener.init();

if (params.get('fps')) ui.fps.value = params.get('fps');
renderLegend(ui.legend);
watchServices($('services'));
setInterval(() => {
  timeline.add(state.mood?.emotion);
  timeline.draw();
  renderMood(ui.mood, ui.moodDetail, state.mood);
}, 1000);

function showMessage(text, kind = 'error') {
  ui.message.textContent = text;
  ui.message.classList.toggle('info', kind === 'info');
  ui.message.hidden = !text;
}

function showStage(kind) {
  ui.video.hidden = kind !== 'video';
  ui.still.hidden = kind !== 'still';
  ui.stageEmpty.hidden = kind !== 'empty';
  ui.overlay.getContext('2d').clearRect(0, 0, ui.overlay.width, ui.overlay.height);
}

function currentStrategy() {
  return document.querySelector('input[name="strategy"]:checked').value;
}

function applyResult(result, { overlay = true } = {}) {
  if (overlay) drawOverlay(ui.overlay, result);
  renderFaces(ui.faces, ui.facesSummary, result);
  const mood = result.mood?.emotion ? result.mood : null;
  const changed = mood?.emotion !== state.mood?.emotion;
  state.mood = mood;
  renderMood(ui.mood, ui.moodDetail, mood);
  if (changed) timeline.add(mood?.emotion);
  if (changed && mood) listener.moodSettled(mood.emotion);
  if (mood) playlist.show(mood.emotion, currentStrategy());
}

function updateStats(stats) {
  ui.statFps.textContent = framesPerSecond(stats).toFixed(1);
  ui.statSent.textContent = String(stats.sent);
  ui.statDropped.textContent = `${stats.busySkipped} / ${stats.serverDropped}`;
  ui.statLatency.textContent = stats.lastLatency == null ? '–'
    : `${Math.round(stats.lastLatency)} / ${Math.round(stats.latencySum / Math.max(1, stats.received))} ms`;
}

function stopAll() {
  if (state.sourceId) {
    // the server keeps reading a source until told to stop
    fetch(`/api/v1/sources/${encodeURIComponent(state.sourceId)}`, { method: 'DELETE' }).catch(() => {});
    state.sourceId = null;
  }
  state.stream?.stop();
  state.stream = null;
  state.events?.close();
  state.events = null;
  ui.still.removeAttribute('src');
  ui.start.disabled = false;
  ui.stop.disabled = true;
}

ui.start.addEventListener('click', async () => {
  stopAll();
  showMessage('');
  ui.start.disabled = true;
  const stream = new CameraStream({
    video: ui.video,
    fps: Number(ui.fps.value),
    onResult: (result) => applyResult(result),
    onStats: updateStats,
    onError: (detail) => showMessage(detail),
    onClose: (reason) => { showMessage(`Streaming stopped: ${reason}`); stopAll(); },
  });
  try {
    showStage('video');
    await stream.start();
    state.stream = stream;
    state.sessionId = stream.sessionId;
    playlist.setSession(stream.sessionId);
    ui.stop.disabled = false;
  } catch (error) {
    stream.stop();
    showStage('empty');
    ui.start.disabled = false;
    showMessage(error?.name ? cameraErrorMessage(error) : error.message);
  }
});

ui.stop.addEventListener('click', () => {
  stopAll();
  showMessage('Stopped.', 'info');
});

ui.fps.addEventListener('change', () => state.stream?.setFps(Number(ui.fps.value)));

ui.photo.addEventListener('change', async () => {
  const file = ui.photo.files?.[0];
  if (!file) return;
  stopAll();
  showMessage('Analysing the photo…', 'info');
  showStage('still');
  const objectUrl = URL.createObjectURL(file);
  ui.still.src = objectUrl;
  ui.still.alt = 'The photo being analysed';
  try {
    // the playlist is fetched separately, with this browser's listener id, so it is the personal one
    const result = await postImage('/api/v1/analyze', file);
    showMessage('');
    drawOverlay(ui.overlay, result);
    renderFaces(ui.faces, ui.facesSummary, result);
    const largest = [...(result.faces || [])].filter((f) => f.emotion)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
    const emotion = result.mood?.emotion || largest?.emotion;
    state.mood = emotion ? { emotion, confidence: result.mood?.confidence ?? largest?.confidence } : null;
    renderMood(ui.mood, ui.moodDetail, state.mood);
    timeline.add(emotion);
    if (!emotion) {
      showMessage('No face was found in this photo. Try one where a face is clearly visible and facing the camera.', 'info');
    } else {
      listener.moodSettled(emotion);
      playlist.show(emotion, currentStrategy());
    }
  } catch (error) {
    showMessage(`The photo could not be analysed: ${error.message}`);
  }
});

ui.sourceForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const url = ui.sourceUrl.value.trim();
  if (!url) {
    showMessage('Enter the address of a camera stream or a video file that the server can open.');
    ui.sourceUrl.focus();
    return;
  }
  stopAll();
  showMessage('Opening the source…', 'info');
  try {
    // no sessionId: camera-service creates the session, whose id names the instance that reads the source, so
    // that the gateway sends the events, the preview and the stop there (several camera-service instances)
    const source = await postJson('/api/v1/sources', { uri: url, fps: Number(ui.fps.value) });
    state.sourceId = source.id;
    const sessionId = source.sessionId;
    state.sessionId = sessionId;
    playlist.setSession(sessionId);
    showMessage('');
    const stats = { sent: 0, received: 0, busySkipped: 0, serverDropped: 0, lastLatency: null, latencySum: 0, times: [] };
    updateStats(stats); // a new input: its own figures
    showStage('still');
    ui.still.alt = `Annotated preview of ${url}`;
    ui.still.src = `/api/v1/sessions/${encodeURIComponent(sessionId)}/preview.mjpg`; // already annotated by the server
    state.events = new EventSource(`/api/v1/sessions/${encodeURIComponent(sessionId)}/events`);
    state.events.addEventListener('frame', (message) => {
      const result = JSON.parse(message.data);
      const now = performance.now();
      stats.received += 1;
      stats.sent = result.sequence ?? stats.received;
      stats.serverDropped = result.droppedFrames ?? stats.serverDropped;
      stats.times.push(now);
      while (stats.times.length && now - stats.times[0] > 5000) stats.times.shift();
      if (result.timings?.totalMs != null) {
        stats.lastLatency = result.timings.totalMs;
        stats.latencySum += result.timings.totalMs;
      }
      updateStats(stats);
      applyResult(result, { overlay: false });
    });
    state.events.addEventListener('error', () => {
      if (state.events?.readyState === EventSource.CLOSED) showMessage('The source stopped sending results.');
    });
    ui.stop.disabled = false;
  } catch (error) {
    showMessage(`The source could not be opened: ${error.message}`);
  }
});

for (const radio of document.querySelectorAll('input[name="strategy"]')) {
  radio.addEventListener('change', () => {
    if (playlist.emotion) playlist.show(playlist.emotion, currentStrategy());
  });
}

showStage('empty');

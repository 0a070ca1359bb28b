// The browser camera: captures frames from a <video>, sends them as JPEG over the session WebSocket with
// at most one frame in flight, and reports each result. Frames are never kept after they are sent.
import { newSessionId, webSocketUrl } from './api.js';

const MAX_WIDTH = 640;
const RESULT_TIMEOUT_MS = 5000;

export function cameraErrorMessage(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was refused. Allow the camera for this site in the browser settings and press '
        + '"Start camera" again, or analyse a photo instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Connect a camera, or analyse a photo or a server-side source instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is in use by another application or could not be started. Close the other application and try again.';
    default:
      return `The camera could not be started (${error?.message || error}).`;
  }
}

export class CameraStream {
  constructor({ video, fps, onResult, onStats, onError, onClose }) {
    this.video = video;
    this.fps = fps;
    this.onResult = onResult;
    this.onStats = onStats;
    this.onError = onError;
    this.onClose = onClose;
    this.canvas = document.createElement('canvas');
    this.sessionId = newSessionId();
    this.stats = { sent: 0, received: 0, busySkipped: 0, serverDropped: 0, lastLatency: null, latencySum: 0, times: [] };
    this.inFlightSince = null;
    this.timer = null;
    this.stopped = false;
  }

  async start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error(window.isSecureContext
        ? 'This browser cannot use a camera.'
        : 'The camera needs a secure page: open the dashboard over HTTPS or on localhost.');
    }
    this.media = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
      audio: false,
    });
    this.video.srcObject = this.media;
    await this.video.play();
    this.connect();
  }

  connect() {
    this.socket = new WebSocket(webSocketUrl(`/api/v1/sessions/${encodeURIComponent(this.sessionId)}/stream`));
    this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('open', () => this.schedule());
    this.socket.addEventListener('message', (event) => this.received(event));
    this.socket.addEventListener('close', (event) => {
      clearTimeout(this.timer);
      if (!this.stopped) {
        this.onClose?.(event.reason || 'The connection to camera-service closed.');
      }
    });
  }

  setFps(fps) {
    this.fps = fps;
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), 1000 / this.fps);
  }

  tick() {
    this.schedule();
    if (this.socket?.readyState !== WebSocket.OPEN || !this.video.videoWidth) return;
    const now = performance.now();
    if (this.inFlightSince !== null && now - this.inFlightSince < RESULT_TIMEOUT_MS) {
      // the previous frame is still being analysed: skip this one rather than queue it
      this.stats.busySkipped += 1;
      this.onStats?.(this.stats);
      return;
    }
    this.capture();
  }

  capture() {
    const scale = Math.min(1, MAX_WIDTH / this.video.videoWidth);
    this.canvas.width = Math.round(this.video.videoWidth * scale);
    this.canvas.height = Math.round(this.video.videoHeight * scale);
    this.canvas.getContext('2d').drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    this.inFlightSince = performance.now();
    this.canvas.toBlob((blob) => {
      if (!blob || this.socket?.readyState !== WebSocket.OPEN) {
        this.inFlightSince = null;
        return;
      }
      this.socket.send(blob);
      this.stats.sent += 1;
    }, 'image/jpeg', 0.8);
  }

  received(event) {
    const now = performance.now();
    if (this.inFlightSince !== null) {
      this.stats.lastLatency = now - this.inFlightSince;
      this.stats.latencySum += this.stats.lastLatency;
    }
    this.inFlightSince = null;
    this.stats.received += 1;
    this.stats.times.push(now);
    while (this.stats.times.length && now - this.stats.times[0] > 5000) this.stats.times.shift();
    let result;
    try {
      result = JSON.parse(typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data));
    } catch {
      return;
    }
    if (result.error) {
      this.onError?.(result.error.detail || 'camera-service could not process a frame.');
    } else {
      if (typeof result.droppedFrames === 'number') this.stats.serverDropped = result.droppedFrames;
      this.onResult?.(result);
    }
    this.onStats?.(this.stats);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'stopped');
    this.media?.getTracks().forEach((track) => track.stop());
    this.video.srcObject = null;
  }
}

export function framesPerSecond(stats) {
  const times = stats.times;
  if (times.length < 2) return 0;
  const span = (times[times.length - 1] - times[0]) / 1000;
  return span > 0 ? (times.length - 1) / span : 0;
}

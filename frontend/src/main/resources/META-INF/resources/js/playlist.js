// The playlist for the current mood: fetched from playlist-service through the gateway, with like/skip
// feedback and a Spotify player that is only loaded when asked for (no third-party request before that).
import { getJson, listenerHeaders, postJson } from './api.js';

// as many tracks as playlist-service's default limit (15, as the original system showed)
const LIMIT = 15;

export class Playlist {
  constructor({ list, status, heading, sessionId, onFeedback = () => {} }) {
    this.onFeedback = onFeedback;
    this.list = list;
    this.status = status;
    this.heading = heading;
    this.sessionId = sessionId;
    this.emotion = null;
    this.strategy = 'match';
    this.skipped = new Set();
    this.request = 0;
  }

  setSession(sessionId) {
    this.sessionId = sessionId;
  }

  async show(emotion, strategy = this.strategy) {
    if (!emotion || (emotion === this.emotion && strategy === this.strategy)) return;
    this.emotion = emotion;
    this.strategy = strategy;
    await this.load();
  }

  /** Loads the list again (after "forget me": the same mood, now for a new listener). */
  async reload() {
    this.skipped.clear();
    if (this.emotion) await this.load();
  }

  async load() {
    const request = ++this.request;
    this.heading.textContent = `for ${this.emotion} (${this.strategy === 'uplift' ? 'lift' : 'match'})`;
    this.status.textContent = `Loading music for ${this.emotion}…`;
    const exclude = [...this.skipped].slice(-50).join(',');
    const url = `/api/v1/playlists/${encodeURIComponent(this.emotion)}?limit=${LIMIT}&strategy=${this.strategy}`
      + (exclude ? `&exclude=${encodeURIComponent(exclude)}` : '');
    try {
      // with this browser's listener id: the list blends in its own likes and skips
      const playlist = await getJson(url, listenerHeaders());
      if (request !== this.request) return; // the mood changed while this was loading
      this.render(playlist.tracks || []);
      this.status.textContent = playlist.tracks?.length
        ? `${playlist.tracks.length} tracks to ${this.strategy === 'uplift' ? 'lift' : 'match'} a ${this.emotion} mood.`
        : `No tracks for ${this.emotion} yet.`;
    } catch (error) {
      if (request !== this.request) return;
      this.status.textContent = `The playlist could not be loaded: ${error.message}`;
    }
  }

  render(tracks) {
    this.list.replaceChildren(...tracks.map((track) => this.trackItem(track)));
  }

  trackItem(track) {
    const item = document.createElement('li');
    item.className = 'track';
    item.dataset.trackId = track.id;
    const title = document.createElement('div');
    title.className = 'track-title';
    title.textContent = track.title;
    const meta = document.createElement('div');
    meta.className = 'track-meta';
    meta.textContent = [track.artist, track.album].filter(Boolean).join(' · ');
    item.append(title, meta);
    if (track.reason?.text) {
      const reason = document.createElement('div');
      reason.className = 'track-reason';
      reason.textContent = `Why: ${track.reason.text}`;
      item.append(reason);
    }
    const actions = document.createElement('div');
    actions.className = 'track-actions';
    const label = `${track.title} by ${track.artist}`;
    if (track.spotifyId) {
      const play = button('Play here', `Play ${label} here (loads the Spotify player)`);
      play.addEventListener('click', () => {
        if (!item.querySelector('iframe')) {
          const frame = document.createElement('iframe');
          frame.src = `https://open.spotify.com/embed/track/${encodeURIComponent(track.spotifyId)}`;
          frame.title = `Spotify player: ${label}`;
          frame.allow = 'autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture';
          frame.loading = 'lazy';
          item.append(frame);
        }
        play.disabled = true;
      });
      actions.append(play);
    }
    const link = track.spotifyUrl || (track.spotifyId ? `https://open.spotify.com/track/${encodeURIComponent(track.spotifyId)}` : null);
    if (link) {
      const anchor = document.createElement('a');
      anchor.href = link;
      anchor.target = '_blank';
      anchor.rel = 'noopener noreferrer';
      anchor.textContent = 'Open in Spotify';
      anchor.setAttribute('aria-label', `Open ${label} in Spotify (new tab)`);
      actions.append(anchor);
    }
    const like = button('Like', `Like ${label}`);
    like.classList.add('like');
    like.setAttribute('aria-pressed', 'false');
    const skip = button('Skip', `Skip ${label}`);
    skip.classList.add('skip');
    const note = document.createElement('span');
    note.className = 'feedback-note';
    note.setAttribute('aria-live', 'polite');
    like.addEventListener('click', async () => {
      if (await this.feedback(track, 'like', note)) {
        like.setAttribute('aria-pressed', 'true');
        like.textContent = 'Liked';
        like.disabled = true;
      }
    });
    skip.addEventListener('click', async () => {
      if (await this.feedback(track, 'skip', note)) {
        this.skipped.add(track.id);
        item.remove();
        if (!this.list.children.length) this.load();
      }
    });
    actions.append(like, skip, note);
    item.append(actions);
    return item;
  }

  async feedback(track, signal, note) {
    try {
      await postJson('/api/v1/feedback', { trackId: track.id, emotion: this.emotion, signal, sessionId: this.sessionId },
        listenerHeaders());
      note.textContent = signal === 'like' ? 'Thanks, noted.' : 'Skipped.';
      this.onFeedback(signal, track);
      return true;
    } catch (error) {
      note.textContent = `Not saved: ${error.message}`;
      return false;
    }
  }
}

function button(text, label) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.setAttribute('aria-label', label);
  return element;
}

// "You": this browser's listener (a random id in localStorage), the opt-in history switch, the history
// itself (moods per day, liked tracks) and "forget me". History is off until the switch is turned on; the
// consent is stored by playlist-service, which keeps nothing without it.
import { getJson, listenerId, resetListenerId, sendJson } from './api.js';

const base = () => `/api/v1/listeners/${encodeURIComponent(listenerId())}`;

export class ListenerPanel {
  constructor({ id, consent, retention, history, moodDays, liked, forget, status, onForgotten }) {
    Object.assign(this, { idView: id, consent, retention, history, moodDays, liked, forget, status, onForgotten });
    this.historyOn = false;
    consent.addEventListener('change', () => this.setConsent(consent.checked));
    forget.addEventListener('click', () => this.forgetMe());
  }

  async init() {
    this.idView.textContent = listenerId();
    try {
      const state = await getJson(base());
      this.historyOn = state.historyConsent;
      this.consent.checked = state.historyConsent;
      this.retention.textContent = String(state.historyRetentionDays);
      await this.refresh();
    } catch (error) {
      this.status.textContent = `Your settings could not be loaded: ${error.message}`;
    }
  }

  async setConsent(on) {
    this.consent.disabled = true;
    try {
      const state = await sendJson('PUT', `${base()}/consent`, { history: on });
      this.historyOn = state.historyConsent;
      this.status.textContent = on
        ? `History is on: moods and tracks are kept for ${state.historyRetentionDays} days.`
        : 'History is off, and what was kept has been deleted.';
      await this.refresh();
    } catch (error) {
      this.consent.checked = this.historyOn;
      this.status.textContent = `Not changed: ${error.message}`;
    } finally {
      this.consent.disabled = false;
    }
  }

  /** A mood settled: kept only when history is on (the server refuses otherwise anyway). */
  async moodSettled(emotion) {
    if (!this.historyOn || !emotion) return;
    try {
      await sendJson('POST', `${base()}/history/moods`, { emotion });
      await this.refresh();
    } catch { /* history is a convenience: the dashboard works without it */ }
  }

  async refresh() {
    this.history.hidden = !this.historyOn;
    if (!this.historyOn) {
      this.moodDays.replaceChildren();
      this.liked.replaceChildren();
      return;
    }
    try {
      const history = await getJson(`${base()}/history`);
      this.moodDays.replaceChildren(...history.moodDays.slice().reverse().map((day) => {
        const item = document.createElement('li');
        item.textContent = `${day.day}: ${Object.entries(day.moods).map(([mood, n]) => `${mood} ${n}`).join(', ')}`;
        return item;
      }));
      if (!history.moodDays.length) this.moodDays.append(empty('No mood kept yet.'));
      this.liked.replaceChildren(...history.liked.map((track) => {
        const item = document.createElement('li');
        item.dataset.trackId = track.trackId;
        item.textContent = `${track.title}${track.artist ? ` by ${track.artist}` : ''} (while ${track.emotion})`;
        return item;
      }));
      if (!history.liked.length) this.liked.append(empty('No liked track kept yet.'));
    } catch (error) {
      this.status.textContent = `The history could not be loaded: ${error.message}`;
    }
  }

  async forgetMe() {
    if (!window.confirm('Forget me: delete your likes, skips and history from Affectune and start as a new listener?')) return;
    this.forget.disabled = true;
    try {
      await sendJson('DELETE', base());
      resetListenerId();
      this.historyOn = false;
      this.consent.checked = false;
      this.idView.textContent = listenerId();
      this.status.textContent = 'Forgotten: nothing about you is left on the server. You are a new listener now.';
      await this.refresh();
      this.onForgotten();
    } catch (error) {
      this.status.textContent = `Not forgotten: ${error.message}`;
    } finally {
      this.forget.disabled = false;
    }
  }
}

function empty(text) {
  const item = document.createElement('li');
  item.className = 'empty';
  item.textContent = text;
  return item;
}

// The seven classes, in the order used everywhere in Affectune.
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

// Same colours as the CSS variables (canvas drawing cannot read classes).
export const COLORS = {
  angry: '#c62828', disgust: '#6a8f00', fear: '#6a1b9a', happy: '#e0a800',
  neutral: '#607d8b', sad: '#1565c0', surprise: '#e65100',
};

export function percent(value) {
  return `${Math.round((value ?? 0) * 100)}%`;
}

export function describeDuration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

// Which services are up, from the gateway's own health endpoint (it checks each service behind it).
const SERVICES = ['emotion-service', 'playlist-service', 'camera-service'];

export function watchServices(list, intervalMs = 5000) {
  async function check() {
    let components = {};
    try {
      const response = await fetch('/actuator/health', { headers: { Accept: 'application/json' } });
      const health = await response.json();
      components = health?.components?.downstream?.components || {};
    } catch {
      components = {};
    }
    for (const name of SERVICES) {
      const item = list.querySelector(`[data-service="${name}"]`);
      const status = components[name]?.status;
      const up = status === 'UP';
      item.classList.toggle('up', up);
      item.classList.toggle('down', !up);
      item.querySelector('.state').textContent = up ? 'up' : (status ? 'down' : 'unknown');
    }
  }
  check();
  return setInterval(check, intervalMs);
}

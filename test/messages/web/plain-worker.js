// Never compiled: answers every message with exactly what its listener was given.
self.addEventListener('message', (event) =>
  self.postMessage({ data: event.data, ports: event.ports.length, trusted: event.isTrusted, origin: event.origin }),
);

// Never compiled: a SharedWorker answering every message with exactly what its listener was given.
onconnect = (connect) => {
  const port = connect.ports[0];
  port.onmessage = (event) => port.postMessage({ echo: event.data, trusted: event.isTrusted, ports: event.ports.length });
};

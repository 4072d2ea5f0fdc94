// A worker we did not compile: no runtime, no SDK. It reports everything a worker can read about how it
// was created: its name, location, own global properties, and every message it receives.
const received = [];
const globals = Object.getOwnPropertyNames(self).sort();
self.onmessage = (event) => {
  received.push(event.data);
  if (event.data === 'report') self.postMessage({ name: self.name, href: self.location.href, globals, received });
};

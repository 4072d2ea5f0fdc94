// Never compiled: a workerpool worker answering with exactly the arguments its method was called with.
const workerpool = require('workerpool');

workerpool.worker({
  echo(...args) {
    return { args, length: arguments.length };
  },
});

export function localConst() {
    const setTimeout = (cb) => cb();
    setTimeout(() => { });
}
export function parameter(setTimeout) {
    setTimeout(() => { });
}
export function localProcess() {
    const process = { nextTick(cb) { cb(); } };
    process.nextTick(() => { });
}
export function nonPromiseThen() {
    const thenable = { then(cb) { cb(); }, catch(cb) { cb(); }, finally(cb) { cb(); } };
    thenable.then(() => { });
    thenable.catch(() => { });
    thenable.finally(() => { });
}
export async function noSuspension() { return 1; }
export function* noYield() { return 1; }

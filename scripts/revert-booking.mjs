// Example reversal command: gets the run as JSON on stdin and undoes what it did.
// A real one would call the ERP; this one prints what it would undo.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const run = JSON.parse(input);
console.log(`reverted: ${run.impacts.map((i) => `${i.system}:${i.ref ?? ''}`).join(', ')} of run ${run.runId}`);

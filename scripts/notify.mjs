// Example notify command for tier-2 automations: gets the action as JSON on stdin.
// A real one would post to chat or e-mail; this one prints a line.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const action = JSON.parse(input);
console.log(`notified: ${action.automation} run ${action.runId} touched ${action.impacts.map((i) => `${i.system}:${i.ref ?? ''}`).join(', ')}`);

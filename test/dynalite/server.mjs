// Starts dynalite (an in-memory DynamoDB protocol server) on 127.0.0.1 at a
// free port and prints "listening <port>" once it accepts connections. It
// exits when its standard input closes, so it never outlives the test
// process that started it, even one that is killed.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

// Tables are ACTIVE at once: the tests create their own and use them
// straight away.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));

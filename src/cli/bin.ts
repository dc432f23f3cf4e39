// The isola executable's code: run the command line, exit with its status.
import { main } from './main.ts';

void main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});

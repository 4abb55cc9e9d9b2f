/**
 * The main of the Moddable lane's core-test build: the host (host.c) invokes
 * one message, `<file>\t<module>`, and this imports that test module (its
 * `describe`/`it` register with the harness), runs it, and posts
 * `exit 0` / `exit 1` to end the process. Output goes through `trace`, which
 * XS writes to stdout on the lin platform; the harness prints with `print`.
 */
import '../../boards/esp32/text-encoder';
import { runRegisteredTests } from '../xs/harness';

declare const screen: { onMessage?: (message: string) => void; postMessage(message: string): void };
declare function trace(text: string): void;

(globalThis as { print?: (text: string) => void }).print = (text: string) => trace(`${text}\n`);

screen.onMessage = (message: string) => {
  const [file, module] = message.split('\t');
  import(module)
    .then(() => runRegisteredTests(file))
    .then(
      () => screen.postMessage('exit 0'),
      (error: unknown) => {
        trace(`  FAIL ${file}: ${String(error)}\n`);
        screen.postMessage('exit 1');
      },
    );
};

/**
 * Collects everything written to stdout and stderr (pino writes its JSON lines to stdout) until
 * `stop()`; the output still reaches the terminal only when `echo` is set.
 */
export function captureOutput({ echo = false } = {}): { text(): string; stop(): string } {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, index) => {
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      chunks.push(
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
      );
      if (echo) return (originals[index] as (...args: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  });
  let stopped = false;
  return {
    text: () => chunks.join(''),
    stop: () => {
      if (!stopped) streams.forEach((stream, index) => (stream.write = originals[index]));
      stopped = true;
      return chunks.join('');
    },
  };
}

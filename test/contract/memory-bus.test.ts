import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { MemoryBus } from '../../emulator/bus/memory-bus.ts';
import { busContract } from './bus.contract.ts';

const T0 = Date.UTC(2026, 2, 1);

busContract('memory bus', () => {
  const bus = new MemoryBus(new VirtualClock(T0));
  return Promise.resolve({ factory: bus, settle: () => bus.settle(), dispose: () => Promise.resolve() });
});

// The same contract with every link slow: settling then means running virtual time until nothing is in flight.
busContract('memory bus with link latency', () => {
  const clock = new VirtualClock(T0);
  const bus = new MemoryBus(clock, { linkLatency: (clientId) => 5 + (clientId.length % 7) * 3 });
  const settle = async (): Promise<void> => {
    await bus.settle();
    while (bus.pending > 0) {
      clock.runUntil(clock.nextTime());
      await bus.settle();
    }
  };
  return Promise.resolve({ factory: bus, settle, dispose: () => Promise.resolve() });
});

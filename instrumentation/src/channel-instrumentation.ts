import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * An instrumentation whose data arrives on diagnostics channels: enabling subscribes once,
 * disabling unsubscribes once, however often either is called. InstrumentationBase calls
 * `enable()` from its own constructor, before a subclass's field initialisers run, so the state
 * lives in `declare`d fields that `listen()` creates on first use.
 */
export abstract class ChannelInstrumentation<Config extends InstrumentationConfig> extends InstrumentationBase<Config> {
  declare private stopListening: (() => void) | undefined;

  /** Whether the channels are subscribed: events that arrive otherwise are stale. */
  protected get listening(): boolean {
    return this.stopListening !== undefined;
  }

  /** Subscribes to the channels; returns what unsubscribes. */
  protected abstract listen(): () => void;

  /** After unsubscribing: ends what the events would have ended. */
  protected stoppedListening(): void {}

  override enable(): void {
    super.enable();
    if (this.stopListening === undefined) this.stopListening = this.listen();
  }

  override disable(): void {
    super.disable();
    const stop = this.stopListening;
    if (stop === undefined) return;
    this.stopListening = undefined;
    stop();
    this.stoppedListening();
  }
}

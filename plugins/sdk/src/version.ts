/** The version of this SDK; the kernel checks each plugin's `sdkVersion` range against it. */
export const SDK_VERSION = '1.1.0';

/**
 * The plugin contract version. It changes only when a plugin built for the old contract could not work
 * with the new kernel; extension points otherwise only grow.
 */
export const CONTRACT_VERSION = 1;

/** Marks objects made by defineSource/defineSink, so the kernel can tell a plugin from any other export. */
export const PLUGIN_BRAND: unique symbol = Symbol.for('herald.plugin/v1') as never;

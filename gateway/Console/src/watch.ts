// Live state: one WatchChanges stream per tab for the current region, over gRPC-Web (the bearer token in a
// header, never in a URL). Pages subscribe to the resource types they show and re-read what changed; nothing
// polls. A broken stream resumes after the last position it saw.
import type { Change } from "@directconnect/sdk";
import { useEffect, useState } from "preact/hooks";
import { api, region } from "./api";
import { currentSession } from "./session";

type Listener = (change: Change) => void;
export type LiveStatus = "connecting" | "live" | "reconnecting" | "off";

const listeners = new Set<Listener>();
const statusListeners = new Set<(status: LiveStatus) => void>();
let status: LiveStatus = "off";
let abort: AbortController | null = null;
let position = 0n;
let streamRegion = "";

function setStatus(value: LiveStatus) {
  status = value;
  statusListeners.forEach((l) => l(value));
}

async function run(controller: AbortController, watchedRegion: string) {
  let failures = 0;
  while (!controller.signal.aborted) {
    setStatus(failures === 0 ? "connecting" : "reconnecting");
    try {
      const stream = api.watch.watchChanges({ region: watchedRegion, afterPosition: position }, { signal: controller.signal });
      setStatus("live");
      for await (const change of stream) {
        failures = 0;
        position = change.position;
        listeners.forEach((l) => l(change));
      }
    } catch {
      if (controller.signal.aborted) {
        return;
      }
      failures++;
    }
    if (!currentSession()) {
      return;
    }
    // A stream the server ended (its maximum duration) resumes at once; a failed one after a short pause.
    await new Promise((resolve) => setTimeout(resolve, failures === 0 ? 0 : Math.min(500 * 2 ** failures, 10_000)));
  }
}

/** (Re)opens the stream for the current region; called at sign-in and when the region changes. */
export function startWatch() {
  const watched = region();
  if (abort && streamRegion === watched) {
    return;
  }
  abort?.abort();
  abort = new AbortController();
  streamRegion = watched;
  position = 0n;
  void run(abort, watched).finally(() => setStatus("off"));
}

export function stopWatch() {
  abort?.abort();
  abort = null;
  setStatus("off");
}

/** Calls `listener` for each change of `types` (all when empty) while the component is mounted. */
export function useChanges(types: string[], listener: Listener) {
  useEffect(() => {
    const l: Listener = (change) => {
      if (types.length === 0 || types.includes(change.resourceType)) {
        listener(change);
      }
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, [types.join(","), listener]);
}

export function useLiveStatus(): LiveStatus {
  const [value, setValue] = useState(status);
  useEffect(() => {
    statusListeners.add(setValue);
    return () => {
      statusListeners.delete(setValue);
    };
  }, []);
  return value;
}

import { useEffect, useState } from 'react';

/**
 * An object URL for `blob` while the caller is mounted: made in an effect
 * (not during render, which may run twice) and revoked when the blob changes
 * or the caller unmounts, so a browsed-past image does not stay in memory.
 */
export function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) return;
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made);
      setUrl(undefined);
    };
  }, [blob]);
  return url;
}

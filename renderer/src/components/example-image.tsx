import { useEffect, useState } from 'react';
import { useApi } from '../api/context';

/** An example's stored image by its hash (nothing while loading or when it cannot be read). */
export function ExampleImage({ hash, alt = 'Example' }: { hash: string; alt?: string }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('datasets.image', { hash }).then(
      (r) => live && setSrc(r.dataUrl),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [api, hash]);
  return src ? <img src={src} alt={alt} /> : null;
}

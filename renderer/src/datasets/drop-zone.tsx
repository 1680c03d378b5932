import { useState } from 'react';
import { pathFromDrop } from './drop-path';

/** A drop target for a dataset folder or file (from a file manager: its path is read from the drop). */
export function DropZone({ onPath, onError }: { onPath: (p: string) => void; onError: (e: Error) => void }) {
  const [over, setOver] = useState(false);
  return (
    <section
      className={`drop-zone${over ? ' over' : ''}`}
      aria-label="Drop a dataset here"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        // The desktop app can name a dropped file's path; a browser page only sees file:// URIs or text.
        const file = e.dataTransfer.files[0];
        const path =
          (file && window.workbench?.pathForFile?.(file)) ||
          pathFromDrop(e.dataTransfer.getData('text/uri-list'), e.dataTransfer.getData('text/plain'));
        if (path) onPath(path);
        else
          onError(
            new Error(
              'The window could not tell where the dropped item lives on disk. Type or paste its path in "File or folder" instead.',
            ),
          );
      }}
    >
      Drop a dataset folder or file here, or type its path below.
    </section>
  );
}

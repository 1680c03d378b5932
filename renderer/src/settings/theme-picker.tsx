import { useState } from 'react';
import { applyTheme, storedTheme, type ThemeChoice } from '../theme';

const CHOICES: readonly [ThemeChoice, string][] = [
  ['system', 'Follow the system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** Light, dark or the system's theme; applied at once and remembered in this window. */
export function ThemePicker() {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme());
  return (
    <fieldset className="radio-group">
      <legend>Theme</legend>
      {CHOICES.map(([value, label]) => (
        <label key={value}>
          <input
            type="radio"
            name="theme"
            value={value}
            checked={theme === value}
            onChange={() => {
              setTheme(value);
              applyTheme(value);
            }}
          />{' '}
          {label}
        </label>
      ))}
    </fieldset>
  );
}

import type { LocaleTexts } from './types.ts';

export const de: LocaleTexts = {
  empty: '(leer)',
  templates: {
    welcome: {
      subject: 'Willkommen, {{user.givenName}}',
      body: `Hallo {{user.displayName}},

herzlich willkommen! Ihr Konto {{user.userName}} ist für Ihren ersten Arbeitstag, den {{user.employeeHireDate}}, bereit.

Abteilung: {{user.department}}
Position: {{user.title}}

Wir freuen uns auf die Zusammenarbeit.`,
    },
    onboardingReminder: {
      subject: 'Erinnerung: {{user.displayName}} beginnt am {{user.employeeHireDate}}',
      body: `Hallo {{manager.displayName}},

zur Erinnerung: {{user.displayName}} beginnt am {{user.employeeHireDate}} in Ihrem Team. Das Konto lautet {{user.userName}}.

Bitte sorgen Sie dafür, dass Ausstattung, Zugänge und der Plan für die erste Woche bereitstehen.`,
    },
    activationCode: {
      subject: 'Aktivieren Sie Ihr Konto',
      body: `Hallo {{user.displayName}},

Ihr Aktivierungscode lautet: {{activation.code}}

Öffnen Sie {{activation.url}} und geben Sie ihn zusammen mit Ihrem Benutzernamen {{user.userName}} ein, um Ihr Passwort festzulegen.

Der Code ist vom {{activation.validFrom}} bis zum {{activation.expiresAt}} gültig. Geben Sie ihn nicht weiter: Die IT wird Sie nie danach fragen.`,
    },
    activationConfirmed: {
      subject: 'Ihr Konto ist aktiviert',
      body: `Hallo {{user.displayName}},

Ihr Konto {{user.userName}} wurde aktiviert. Falls Sie das nicht selbst waren, wenden Sie sich bitte sofort an den IT-Support.`,
    },
    managerUserMoved: {
      subject: '{{user.displayName}} hat eine neue Position',
      body: `Hallo {{manager.displayName}},

die Daten von {{user.displayName}} ({{user.userName}}) haben sich geändert:

{{changes}}

Bitte prüfen Sie, welche Zugriffe in der neuen Position nötig sind.`,
    },
    managerBeforeLastDay: {
      subject: 'Letzter Arbeitstag von {{user.displayName}}: {{user.employeeLeaveDateTime}}',
      body: `Hallo {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) verlässt das Unternehmen am {{user.employeeLeaveDateTime}}.

Bitte sorgen Sie bis dahin für die Übergabe von Aufgaben und Dateien.`,
    },
    managerOnLastDay: {
      subject: 'Heute ist der letzte Arbeitstag von {{user.displayName}}',
      body: `Hallo {{manager.displayName}},

heute ist der letzte Arbeitstag von {{user.displayName}} ({{user.userName}}). Die Zugriffe enden am {{user.employeeLeaveDateTime}}.`,
    },
    managerAfterLastDay: {
      subject: '{{user.displayName}} hat das Unternehmen verlassen',
      body: `Hallo {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) hat das Unternehmen am {{user.employeeLeaveDateTime}} verlassen; das Konto wurde deaktiviert.

Postfach und Dateien werden gemäß Ihrer Aufbewahrungsrichtlinie gelöscht.`,
    },
  },
};

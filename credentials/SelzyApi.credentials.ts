import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { API_BASE_URL_EXPRESSION } from '../nodes/Selzy/transport/apiUrl';

/** Selzy answers a refused key with HTTP 200 and {"error", "code"}. */
const KEY_REFUSED: IAuthenticateRuleResponseSuccessBody[] = [
	{
		type: 'responseSuccessBody',
		properties: {
			key: 'code',
			value: 'invalid_api_key',
			message: 'Selzy: the API key is not valid (invalid_api_key). Copy it again from Settings → Integrations and API.',
		},
	},
	{
		type: 'responseSuccessBody',
		properties: {
			key: 'code',
			value: 'access_denied',
			message: 'Selzy: API access is denied for this key (access_denied). Enable API access in your Selzy account.',
		},
	},
];

/** A redirect is not followed (it would carry the key elsewhere): Test fails and says why. */
const REDIRECTED: IAuthenticateRuleResponseCode[] = [301, 302, 303, 307, 308].map((status) => ({
	type: 'responseCode',
	properties: {
		value: status,
		message: `Selzy: the Base URL answered with a redirect (HTTP ${status}), which is not followed so that the API key goes nowhere else. Check the Base URL (default https://api.selzy.com).`,
	},
}));

// Selzy reads the key from the form body; a key in the URL would end up in proxy logs.
export class SelzyApi implements ICredentialType {
	name = 'selzyApi';

	displayName = 'Selzy API';

	icon: Icon = { light: 'file:selzy.svg', dark: 'file:selzy.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-selzy/n8n-nodes-selzy#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Found in your Selzy account under Settings → Integrations and API',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.selzy.com',
			description:
				'Change only to use a Selzy-compatible endpoint (for example a local test server). No trailing /en/api. Must start with https:// (the key travels in every request); plain http only for localhost.',
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'options',
			options: [
				{ name: 'English', value: 'en' },
				{ name: 'Russian', value: 'ru' },
				{ name: 'Ukrainian', value: 'ua' },
			],
			default: 'en',
			description: 'Language of the messages Selzy returns, including error messages',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			body: { api_key: '={{$credentials.apiKey}}' },
		},
	};

	// Selzy answers a bad key with HTTP 200 and {"error", "code"}, so the body decides. A plain
	// http Base URL off this machine gets no request at all: the expression fails instead.
	test: ICredentialTestRequest = {
		request: {
			baseURL: API_BASE_URL_EXPRESSION,
			url: '/getLists',
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: { format: 'json' },
			// A followed redirect would carry the form body, key included, to wherever it points.
			disableFollowRedirect: true,
			maxRedirects: 0,
		},
		// n8n applies each rule by its type (responseCode to a failed request, responseSuccessBody to
		// a 200), so one list holds both kinds; the declared type allows one kind per list.
		rules: [...KEY_REFUSED, ...REDIRECTED] as unknown as ICredentialTestRequest['rules'],
	};
}

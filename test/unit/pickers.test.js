/**
 * The Campaign and List pickers say one thing at a time in the editor, as n8n judges parameters
 * (n8n-workflow's getNodeParametersIssues, which the editor and a run both use).
 */
const { NodeHelpers } = require('n8n-workflow');
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');

const { description } = new Selzy();

function issuesOf(parameters) {
	const node = { name: 'Selzy', type: 'n8n-nodes-selzy.selzy', typeVersion: 1, position: [0, 0], parameters };
	node.parameters = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description);
	return NodeHelpers.getNodeParametersIssues(description.properties, node, description)?.parameters ?? {};
}
const campaign = (operation, mode, value) => issuesOf({ resource: 'campaign', operation, campaignId: { __rl: true, mode, value } });
const exportList = (value) => issuesOf({ resource: 'contact', operation: 'export', listId: { __rl: true, mode: 'id', value } });

test.each(['getDeliveryReport', 'getStatus', 'getStats'])('an empty Campaign (By ID) in %s is only said to be required', (operation) => {
	expect(campaign(operation, 'id', '')).toEqual({ campaignId: ['Parameter "Campaign" is required.'] });
	expect(campaign(operation, 'list', '')).toEqual({ campaignId: ['Parameter "Campaign" is required.'] });
});

test('a campaign ID that is not a number (or only spaces) is said to be one', () => {
	expect(campaign('getStatus', 'id', 'spring')).toEqual({ campaignId: ['A campaign ID is a number'] });
	expect(campaign('getStatus', 'id', '  ')).toEqual({ campaignId: ['A campaign ID is a number'] });
	expect(campaign('getStatus', 'id', ' 1002 ')).toEqual({});
});

test('an empty List of an export means every contact and is no issue; letters are', () => {
	expect(exportList('')).toEqual({});
	expect(exportList('  ')).toEqual({});
	expect(exportList('news')).toEqual({ listId: ['A list ID is a number'] });
});

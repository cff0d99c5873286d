/**
 * Option descriptions fit n8n's dropdowns: n8n 2.x shows at most two lines of about 55 characters
 * under each option and cuts the rest, so a description stays within 80 characters and the detail
 * goes to the parameter's description or a notice.
 */
const { Selzy } = require('../../nodes/Selzy/Selzy.node.ts');
const { SelzyTrigger } = require('../../nodes/Selzy/SelzyTrigger.node.ts');
const { SelzyEventsTrigger } = require('../../nodes/Selzy/SelzyEventsTrigger.node.ts');

const MAX_OPTION_DESCRIPTION = 80;

/** `[path, description]` of every option of an options or multiOptions parameter, nested ones included. */
function optionDescriptions(properties, path) {
	return properties.flatMap((property) => {
		const here = `${path} → ${property.displayName ?? property.name}`;
		if (property.type === 'options' || property.type === 'multiOptions') {
			return (property.options ?? []).filter((o) => o.description).map((o) => [`${here} → ${o.name}`, o.description]);
		}
		if (property.type === 'collection') return optionDescriptions(property.options ?? [], here);
		if (property.type === 'fixedCollection') return property.options.flatMap((group) => optionDescriptions(group.values, here));
		return [];
	});
}

const nodes = [Selzy, SelzyTrigger, SelzyEventsTrigger].map((NodeClass) => new NodeClass().description);

test.each(nodes)('every option description of the $displayName node fits a dropdown', (description) => {
		const all = optionDescriptions(description.properties, description.displayName);
		expect(all.length).toBeGreaterThan(0);
		const tooLong = all.filter(([, text]) => text.length > MAX_OPTION_DESCRIPTION).map(([where, text]) => `${where} (${text.length}): ${text}`);
		expect(tooLong).toEqual([]);
});
